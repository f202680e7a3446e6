"""The chat command and the questions file: released-format prompts, stop at </s>, history, CLI."""

import io
import json
import re
import shutil
import subprocess
import sys
from argparse import Namespace

import pytest
import torch
from transformers import LlamaConfig, LlamaForCausalLM

from tests.conftest import REPO
from xuanyuan.chat import ChatSession, GenerationSettings, answer_questions, load_for_inference, read_questions
from xuanyuan.chat import cli
from xuanyuan.chat.loading import ModelDirError
from xuanyuan.chat.questions_file import QuestionsError
from xuanyuan.sft import SYSTEM_MESSAGE, SegmentEncoder, prompt_ids, prompt_text

GREEDY = GenerationSettings(max_new_tokens=4, temperature=0)


def _model_dir(tokenizer_dir, root, favourite: str):
    """A tiny Llama whose head always prefers one token (`favourite`: "eos" or "word") and the project tokenizer."""
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(tokenizer_dir)
    config = LlamaConfig(vocab_size=len(tokenizer), hidden_size=32, intermediate_size=64, num_hidden_layers=1,
                         num_attention_heads=2, num_key_value_heads=2, bos_token_id=1, eos_token_id=2, pad_token_id=0)
    torch.manual_seed(0)
    model = LlamaForCausalLM(config)
    target = tokenizer.eos_token_id if favourite == "eos" else tokenizer.convert_tokens_to_ids("▁the")
    with torch.no_grad():
        # Every token embeds to ones and the layers add nothing, so the last hidden state is the same at
        # every position; a head that is zero but for the favourite's row then picks it at every step.
        model.model.embed_tokens.weight.fill_(1.0)
        for layer in model.model.layers:
            layer.self_attn.o_proj.weight.zero_()
            layer.mlp.down_proj.weight.zero_()
        model.lm_head.weight.zero_()
        model.lm_head.weight[target] = 1.0
    out = root / favourite
    model.save_pretrained(out)
    for path in tokenizer_dir.iterdir():
        shutil.copy(path, out / path.name)
    return out, target


@pytest.fixture(scope="module")
def word_model(tokenizer_dir, tmp_path_factory):
    return _model_dir(tokenizer_dir, tmp_path_factory.mktemp("chat"), "word")


@pytest.fixture(scope="module")
def eos_model(tokenizer_dir, tmp_path_factory):
    return _model_dir(tokenizer_dir, tmp_path_factory.mktemp("chat"), "eos")


def test_prompt_is_the_training_template_open_at_assistant(word_model, hf_tokenizer):
    model, tokenizer = load_for_inference(word_model[0], "cpu")
    session = ChatSession(model, tokenizer, GREEDY)
    session.history = [("什么是市盈率？", "市盈率是股价除以每股收益。")]
    ids = session.prompt("举个例子。")
    assert ids == prompt_ids(SegmentEncoder(hf_tokenizer), "举个例子。", session.history)
    assert tokenizer.decode(ids, skip_special_tokens=False).endswith(" Human: 举个例子。 Assistant:")
    assert prompt_text("举个例子。", session.history).endswith("</s>Human: 举个例子。 Assistant:")


def test_generation_stops_at_eos_and_keeps_history(eos_model, word_model):
    model, tokenizer = load_for_inference(eos_model[0], "cpu")
    session = ChatSession(model, tokenizer, GenerationSettings(max_new_tokens=50, temperature=0))
    prompt, new = session.generate_ids("你好")
    assert new == []  # the EOS came first and is not part of the answer
    model, tokenizer = load_for_inference(word_model[0], "cpu")
    session = ChatSession(model, tokenizer, GREEDY)
    first = session.reply("你好")
    assert first == "the the the the"  # max_new_tokens, greedy
    session.reply("再说一遍")
    assert [q for q, _ in session.history] == ["你好", "再说一遍"]
    assert len(session.prompt("third")) > len(prompt_ids(session.encoder, "third"))  # the history is in the prompt
    session.reset()
    assert session.history == []


def test_streaming_emits_exactly_the_answer(word_model):
    model, tokenizer = load_for_inference(word_model[0], "cpu")
    pieces = []
    answer = ChatSession(model, tokenizer, GREEDY).reply("hi", stream=pieces.append)
    assert "".join(pieces).strip() == answer


def test_sampling_with_a_seed_repeats(word_model):
    model, tokenizer = load_for_inference(word_model[0], "cpu")
    settings = GenerationSettings(max_new_tokens=6, temperature=0.7, top_p=0.95, seed=3)
    assert ChatSession(model, tokenizer, settings).reply("q") == ChatSession(model, tokenizer, settings).reply("q")


def test_cli_one_prompt_and_interactive(word_model, tmp_path):
    result = subprocess.run([sys.executable, "-m", "xuanyuan", "chat", "--model", str(word_model[0]), "--prompt", "你好",
                             "--temperature", "0", "--max-new-tokens", "3", "--device", "cpu"],
                            capture_output=True, text=True, cwd=REPO, timeout=240)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == "the the the"
    args = Namespace(model=str(word_model[0]), prompt=None, device="cpu", max_new_tokens=2, temperature=0.0, top_p=0.95,
                     repetition_penalty=1.0, seed=None, system=None)
    out = io.StringIO()
    assert cli.run(args, stdin=io.StringIO("你好\n\n/reset\n还在吗\n/exit\n"), stdout=out) == 0
    text = out.getvalue()
    assert text.count("Assistant: the the") == 2 and "(history cleared)" in text


def test_cli_names_a_missing_model_directory(tmp_path):
    result = subprocess.run([sys.executable, "-m", "xuanyuan", "chat", "--model", str(tmp_path / "nope"), "--prompt", "x"],
                            capture_output=True, text=True, cwd=REPO, timeout=240)
    assert result.returncode == 1
    assert "no config.json" in result.stderr and "Traceback" not in result.stderr


def test_questions_file_answers_and_errors(word_model, tmp_path):
    path = tmp_path / "q.jsonl"
    path.write_text(json.dumps({"id": "a", "question": "你好"}, ensure_ascii=False) + "\n"
                    + json.dumps({"question": "再说", "history": [["你好", "好"]]}, ensure_ascii=False) + "\n", encoding="utf-8")
    questions = read_questions(path)
    assert [q["id"] for q in questions] == ["a", "q2"] and questions[1]["history"] == [("你好", "好")]
    records = answer_questions(word_model[0], questions, GREEDY, device="cpu")
    assert [r["answer"] for r in records] == ["the the the the"] * 2 and all(r["new_tokens"] == 4 for r in records)
    plain = tmp_path / "q.txt"
    plain.write_text("第一个问题\n\n第二个问题\n", encoding="utf-8")
    assert [q["question"] for q in read_questions(plain)] == ["第一个问题", "第二个问题"]
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"question": "ok"}\n{"history": [["a", "b"]]}\n', encoding="utf-8")
    with pytest.raises(QuestionsError, match=r"bad.jsonl:2: needs a non-empty string \"question\""):
        read_questions(bad)
    with pytest.raises(QuestionsError, match="not found"):
        read_questions(tmp_path / "missing.jsonl")


def test_a_directory_without_config_is_refused(tmp_path):
    with pytest.raises(ModelDirError, match="no config.json"):
        load_for_inference(tmp_path, "cpu")


@pytest.mark.parametrize("device, message", [
    ("gpu", "--device: 'gpu' is not a device; use auto, cpu, cuda"),
    ("cuda", "sees no CUDA GPU"),
])
def test_cli_device_mistakes_are_named_without_a_traceback(word_model, device, message, capsys, monkeypatch):
    import torch

    from xuanyuan.__main__ import main

    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    assert main(["chat", "--model", str(word_model[0]), "--prompt", "x", "--device", device]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: ") and message in err and "Traceback" not in err


def test_history_is_trimmed_to_the_models_positions_keeping_the_system_message(word_model):
    from xuanyuan.chat.session import MessageTooLong

    model, tokenizer = load_for_inference(word_model[0], "cpu")
    notices = []
    session = ChatSession(model, tokenizer, GREEDY, notice=notices.append)
    turns = [(f"第{i}个问题，" * 3, "回答" * 4) for i in range(6)]
    session.history = turns[-1:]
    model.config.max_position_embeddings = len(session.prompt("第三个问题")) + GREEDY.max_new_tokens  # one old turn
    session.history = list(turns)
    ids = session.fit_prompt("第三个问题")
    assert len(ids) + GREEDY.max_new_tokens <= model.config.max_position_embeddings
    assert session.history == turns[-1:]  # the oldest whole turns went first
    assert tokenizer.decode(ids, skip_special_tokens=True).startswith(SYSTEM_MESSAGE.strip()[:30])
    session.reply("第三个问题")
    session.reply("第四个问题")
    assert len(notices) == 1 and "dropped the 5 oldest" in notices[0] and "/reset" in notices[0]  # told once
    kept = list(session.history)
    with pytest.raises(MessageTooLong, match=r"too long: its prompt is \d+ tokens.*send a shorter message"):
        session.reply("很长的问题" * 200)
    assert session.history == kept  # a refused message neither answers nor eats the history


def test_cli_drops_old_turns_once_and_refuses_a_message_too_long_alone(word_model, hf_tokenizer, monkeypatch):
    from transformers import LlamaForCausalLM as Llama

    # A context that holds a question, one earlier turn and the 2 new tokens.
    limit = len(prompt_ids(SegmentEncoder(hf_tokenizer), "第5个问题请回答", [("第4个问题请回答", "the the")])) + 2
    loaded = Llama.from_pretrained

    def small(*args, **kwargs):
        model = loaded(*args, **kwargs)
        model.config.max_position_embeddings = limit
        return model

    monkeypatch.setattr(Llama, "from_pretrained", small)
    args = Namespace(model=str(word_model[0]), prompt=None, device="cpu", max_new_tokens=2, temperature=0.0, top_p=0.95,
                     repetition_penalty=1.0, seed=None, system=None)
    out = io.StringIO()
    questions = "".join(f"第{i}个问题请回答\n" for i in range(6)) + "很长的问题" * 100 + "\n/exit\n"
    assert cli.run(args, stdin=io.StringIO(questions), stdout=out) == 0
    text = out.getvalue()
    assert text.count("(dropped the") == 1 and text.count("Assistant: the the") == 6
    # The notice has its own line, before the answer it concerns (not inside the streamed answer).
    assert re.search(r"Human: \(dropped the 1 oldest turn\(s\)[^\n]*\)\nAssistant: the the\n", text)
    assert "(the message is too long" in text and "send a shorter message" in text
