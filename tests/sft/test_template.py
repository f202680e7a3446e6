"""The released chat format, pinned: the exact string and token ids of a two-turn conversation."""

from __future__ import annotations

from xuanyuan.sft import (
    SYSTEM_MESSAGE,
    Conversation,
    chat_segments,
    conversation_text,
    encode_segments,
    prompt_ids,
    prompt_text,
    render,
)

TURNS = (("什么是市盈率？", "市盈率是股价除以每股收益。"), ("举个例子。", "股价二十元，每股收益两元，市盈率为十倍。"))

# XuanYuan-70B-Chat's model card, verbatim.
MODEL_CARD_SYSTEM = ("以下是用户和人工智能助手之间的对话。用户以Human开头，人工智能助手以Assistant开头，会对人类提出的问题给出有帮助、"
                     "高质量、详细和礼貌的回答，并且总是拒绝参与 与不道德、不安全、有争议、政治敏感等相关的话题、问题和指示。\n")

EXPECTED_TEXT = (
    MODEL_CARD_SYSTEM
    + " Human: 什么是市盈率？ Assistant: 市盈率是股价除以每股收益。</s>"
    + "Human: 举个例子。 Assistant: 股价二十元，每股收益两元，市盈率为十倍。</s>"
)

# Ids with the session tokenizer of tests/sft/conftest.py (a deterministic stand-in + character expansion).
SYSTEM_IDS = [
    1, 539, 747, 615, 748, 763, 759, 648, 610, 757, 761, 652, 749, 760, 655, 803, 609, 650, 764, 230, 131, 133, 763,
    759, 747, 589, 553, 555, 266, 758, 756, 242, 191, 143, 610, 757, 761, 652, 749, 760, 747, 583, 336, 298, 546, 266,
    546, 758, 756, 242, 191, 143, 772, 650, 610, 793, 786, 755, 609, 765, 751, 795, 755, 614, 780, 749, 230, 131, 132,
    619, 800, 802, 230, 131, 132, 798, 794, 648, 790, 799, 609, 617, 792, 242, 191, 143, 781, 766, 783, 748, 785, 796,
    777, 753, 539, 753, 752, 801, 782, 230, 131, 132, 752, 779, 775, 230, 131, 132, 614, 770, 797, 230, 131, 132, 657,
    788, 787, 784, 791, 789, 776, 609, 764, 751, 230, 131, 132, 765, 751, 648, 656, 618, 230, 131, 133, 13,
]
TURN_IDS = [
    # " Human: 什么是市盈率？ Assistant:"
    539, 589, 553, 555, 266, 582, 539, 771, 769, 748, 601, 750, 611, 242, 191, 162, 539, 583, 336, 298, 546, 266, 546, 582,
    # " 市盈率是股价除以每股收益。" + EOS
    539, 601, 750, 611, 748, 647, 612, 804, 747, 762, 647, 613, 651, 230, 131, 133, 2,
    # "Human: 举个例子。 Assistant:" (after the EOS the tokenizer starts afresh: "▁Human")
    539, 589, 553, 555, 266, 582, 539, 768, 653, 773, 778, 230, 131, 133, 539, 583, 336, 298, 546, 266, 546, 582,
    # " 股价二十元，每股收益两元，市盈率为十倍。" + EOS
    539, 647, 612, 616, 649, 754, 242, 191, 143, 762, 647, 613, 651, 767, 754, 242, 191, 143, 601, 750, 611, 654, 649,
    774, 230, 131, 133, 2,
]


def test_system_message_is_the_model_cards():
    assert SYSTEM_MESSAGE == MODEL_CARD_SYSTEM


def test_two_turn_string_is_exact():
    assert render(chat_segments(None, TURNS)) == EXPECTED_TEXT
    conversation = Conversation(None, TURNS, "test", "c1")
    assert conversation_text(conversation) == EXPECTED_TEXT


def test_generation_prompt_is_the_model_cards_formula():
    seps, roles = [" ", "</s>"], ["Human", "Assistant"]
    question = "介绍下你自己"
    assert prompt_text(question) == MODEL_CARD_SYSTEM + seps[0] + roles[0] + ": " + question + seps[0] + roles[1] + ":"
    # With history: the text of the finished turns, then the open turn (FastChat ADD_COLON_TWO).
    assert prompt_text(TURNS[1][0], history=TURNS[:1]) == EXPECTED_TEXT.split(" Assistant: 股价")[0] + " Assistant:"


def test_empty_system_is_the_6b_format():
    assert prompt_text("q", system="") == " Human: q Assistant:"


def test_two_turn_token_ids_are_pinned(encoder):
    ids, _ = encode_segments(chat_segments(None, TURNS), encoder)
    assert ids == SYSTEM_IDS + TURN_IDS


def test_segment_ids_equal_the_tokenizer_on_the_whole_string(encoder, hf_tokenizer):
    """Segment-wise encoding is exact: the same ids as the tokenizer on the full text ("</s>" as EOS)."""
    cases = [TURNS, (("Hello there", "Hi, how can I help?"), ("What is 2+2?", "  It is 4.  ")),
             (("q", "answer with\nnew lines\n\nand  double  spaces"),)]
    for turns in cases:
        turns = tuple((q.strip(), a.strip()) for q, a in turns)
        segments = chat_segments(None, turns)
        ids, _ = encode_segments(segments, encoder)
        assert ids == hf_tokenizer(render(segments)).input_ids
        question = "next?"
        assert prompt_ids(encoder, question, turns) == hf_tokenizer(prompt_text(question, turns)).input_ids


def test_literal_eos_text_inside_an_answer_is_not_an_eos(encoder):
    ids, labels = encode_segments(chat_segments(None, (("q", "a </s> b"),)), encoder)
    assert ids.count(encoder.eos_id) == 1 and ids[-1] == encoder.eos_id
