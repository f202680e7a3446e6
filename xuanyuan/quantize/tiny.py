"""A tiny random Llama with its own byte-level BPE tokenizer, for tests and bench/generation.py.

Saved like the pretrain export (fp32 safetensors + tokenizer), so every quantization path runs on
it exactly as on a trained model, in seconds on a CPU.
"""

from __future__ import annotations

import random
from pathlib import Path

import torch

WORDS = ("the bank market rate interest price stock bond fund investor trade company share profit loss quarter "
         "year growth inflation policy central government economy dollar index report revenue debt credit").split()
ZH = ("中国人民银行今天宣布下调存款准备金率。", "沪深股市周二小幅上涨，银行板块表现强势。",
      "公司发布年度报告，营业收入同比增长，净利润创历史新高。", "分析人士认为，货币政策仍将保持稳健。")


def corpus(n: int, seed: int = 0) -> list[str]:
    """Mixed English and Chinese documents of varying length (calibration and perplexity text)."""
    rng = random.Random(seed)
    docs = []
    for i in range(n):
        if i % 2:
            docs.append("".join(rng.choice(ZH) for _ in range(rng.randint(1, 4))))
        else:
            docs.append(" ".join(rng.choice(WORDS) for _ in range(rng.randint(10, 40))) + ".")
    return docs


def write_tiny_llama(out: Path, *, hidden: int = 64, layers: int = 2, intermediate: int | None = None,
                     vocab_size: int = 600, seed: int = 0) -> Path:
    """A random fp32 LlamaForCausalLM with a byte-level BPE tokenizer, saved like the pretrain export."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import LlamaConfig, LlamaForCausalLM, PreTrainedTokenizerFast

    bpe = Tokenizer(models.BPE(unk_token="<unk>"))
    bpe.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    bpe.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=vocab_size, special_tokens=["<unk>", "<s>", "</s>"],
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet())
    bpe.train_from_iterator(corpus(200), trainer)
    tokenizer = PreTrainedTokenizerFast(tokenizer_object=bpe, unk_token="<unk>", bos_token="<s>", eos_token="</s>",
                                        pad_token="<unk>", padding_side="left")
    torch.manual_seed(seed)
    config = LlamaConfig(vocab_size=len(tokenizer), hidden_size=hidden,
                         intermediate_size=intermediate or hidden * 5 // 2, num_hidden_layers=layers,
                         num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=512,
                         bos_token_id=1, eos_token_id=2, pad_token_id=0, tie_word_embeddings=False)
    model = LlamaForCausalLM(config).float()
    # Wider than the default init (std 0.02; 0.08 at width 64): logits then differ enough between
    # tokens that greedy generation means something and quantization error is visible.
    with torch.no_grad():
        for param in model.parameters():
            if param.dim() == 2:
                param.normal_(0, 0.64 / hidden ** 0.5)
    model.save_pretrained(out)
    tokenizer.save_pretrained(out)
    return out
