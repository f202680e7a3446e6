"""Hugging Face export: `tokenizer.json` (fast) + `tokenizer_config.json` beside `tokenizer.model`.

The fast tokenizer is built from the SentencePiece model with the `tokenizers` library and
reproduces sentencepiece's encoder exactly for Llama-2-style models (identity normalisation,
dummy prefix, whitespace kept, BPE with byte fallback):

- normalizer: prepend "▁" (the dummy prefix, always, as sentencepiece does even before a
  leading space), then every " " becomes "▁"; no pre-tokenizer, because sentencepiece BPE
  merges over the whole text at once;
- model: BPE over the same ids, byte fallback on, merges ranked like sentencepiece's merge
  order: by the score of the merged piece, highest first (only NORMAL pieces merge);
- decoder: "▁" -> " ", byte pieces -> bytes, fuse, strip the dummy prefix's space;
- post-processor: `<s>` before every sequence, nothing after (Llama-2: add_bos_token True,
  add_eos_token False).

`tokenizer_class` is `PreTrainedTokenizerFast` (in transformers 5 an alias of
`TokenizersBackend`), which loads `tokenizer.json` as written. transformers 5's
`LlamaTokenizer` would instead rebuild the pipeline from vocab and merges with a Metaspace
pre-tokenizer that drops the dummy prefix before a leading space, so it disagrees with
sentencepiece on text that starts with a space.

Pad: Llama-2 has no pad piece, and adding one would change the vocabulary, so `<unk>` (id 0)
doubles as pad. With byte fallback the encoder never emits `<unk>`, so a pad id can't be
confused with text; the attention mask and the loss mask skip it anyway.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from tokenizers import AddedToken, Tokenizer, decoders, models, normalizers, processors

from xuanyuan.tokenizer.spmodel import ModelProto, PieceType, load_model_proto

SPACE = "\u2581"  # sentencepiece's visible space "▁"
TOKENIZER_JSON = "tokenizer.json"
TOKENIZER_CONFIG = "tokenizer_config.json"
SPECIAL_TOKENS_MAP = "special_tokens_map.json"

_SUPPORTED_TYPES = {PieceType.NORMAL, PieceType.UNKNOWN, PieceType.CONTROL, PieceType.BYTE}


def _check_llama_style(proto: ModelProto, where: str) -> None:
    """Reject models whose encoder the fast pipeline below would not reproduce."""
    spec = proto.normalizer_spec
    problems = []
    if spec.precompiled_charsmap or spec.name not in ("identity", ""):
        problems.append(f"normalization {spec.name!r} (only 'identity' is supported)")
    if spec.remove_extra_whitespaces:
        problems.append("remove_extra_whitespaces on")
    if not spec.escape_whitespaces:
        problems.append("escape_whitespaces off")
    if proto.trainer_spec.treat_whitespace_as_suffix:
        problems.append("treat_whitespace_as_suffix on")
    odd = sorted({PieceType.Name(piece.type) for piece in proto.pieces if piece.type not in _SUPPORTED_TYPES})
    if odd:
        problems.append(f"pieces of type {', '.join(odd)}")
    if problems:
        raise ValueError(
            f"{where}: the Hugging Face export supports Llama-2-style SentencePiece models only; this one has "
            + "; ".join(problems)
        )


def bpe_merges(proto: ModelProto) -> list[tuple[str, str]]:
    """Every split of a NORMAL piece into two NORMAL pieces, in sentencepiece's merge priority.

    sentencepiece merges the adjacent pair whose concatenation has the highest score; ties
    between splits are broken by the merged piece's id, then the left part's length.
    """
    normal = {
        piece.piece: (piece.score, index)
        for index, piece in enumerate(proto.pieces)
        if piece.type == PieceType.NORMAL
    }
    ranked = []
    for text, (score, index) in normal.items():
        for cut in range(1, len(text)):
            left, right = text[:cut], text[cut:]
            if left in normal and right in normal:
                ranked.append((-score, index, cut, left, right))
    ranked.sort()
    return [(left, right) for *_, left, right in ranked]


def special_pieces(proto: ModelProto) -> dict[str, str]:
    """unk/bos/eos piece strings from the trainer spec (pad: see the module docstring)."""
    pieces = proto.pieces
    spec = proto.trainer_spec
    found = {}
    for role, index in (("unk", spec.unk_id), ("bos", spec.bos_id), ("eos", spec.eos_id)):
        if not 0 <= index < len(pieces):
            raise ValueError(f"the SentencePiece model has no {role} piece ({role}_id = {index}); Llama-2's has one")
        found[role] = pieces[index].piece
    found["pad"] = found["unk"]
    return found


def fast_tokenizer(proto: ModelProto, *, where: str = "tokenizer.model") -> Tokenizer:
    """The `tokenizers.Tokenizer` that encodes like sentencepiece with this model (plus BOS)."""
    _check_llama_style(proto, where)
    specials = special_pieces(proto)
    vocab = {piece.piece: index for index, piece in enumerate(proto.pieces)}
    byte_fallback = proto.trainer_spec.byte_fallback
    tokenizer = Tokenizer(
        models.BPE(
            vocab=vocab,
            merges=bpe_merges(proto),
            unk_token=specials["unk"],
            fuse_unk=True,
            byte_fallback=byte_fallback,
        )
    )
    steps = [normalizers.Prepend(SPACE)] if proto.normalizer_spec.add_dummy_prefix else []
    tokenizer.normalizer = normalizers.Sequence(steps + [normalizers.Replace(" ", SPACE)])
    parts = [decoders.Replace(SPACE, " ")]
    parts += [decoders.ByteFallback()] if byte_fallback else []
    parts += [decoders.Fuse()]
    parts += [decoders.Strip(" ", 1, 0)] if proto.normalizer_spec.add_dummy_prefix else []
    tokenizer.decoder = decoders.Sequence(parts)
    bos = specials["bos"]
    tokenizer.post_processor = processors.TemplateProcessing(
        single=f"{bos}:0 $A:0", pair=f"{bos}:0 $A:0 {bos}:1 $B:1", special_tokens=[(bos, vocab[bos])]
    )
    # Control pieces are never produced from text by sentencepiece; as special added tokens they
    # are skipped by decode(skip_special_tokens=True). See docs/tokenizer.md on literal "</s>" in text.
    tokenizer.add_special_tokens(
        [AddedToken(piece.piece, special=True, normalized=False) for piece in proto.pieces
         if piece.type in (PieceType.UNKNOWN, PieceType.CONTROL)]
    )
    return tokenizer


def tokenizer_config(proto: ModelProto, *, model_max_length: int | None = None) -> dict:
    """The contents of `tokenizer_config.json`."""
    specials = special_pieces(proto)
    config = {
        "tokenizer_class": "PreTrainedTokenizerFast",
        "unk_token": specials["unk"],
        "bos_token": specials["bos"],
        "eos_token": specials["eos"],
        "pad_token": specials["pad"],
        # transformers 5 takes BOS/EOS from tokenizer.json's post-processor and ignores these two
        # keys on load; they are written for readers of the file and for older loaders.
        "add_bos_token": True,
        "add_eos_token": False,
        # Decoding must give the text back unchanged; the clean-up would eat spaces before punctuation.
        "clean_up_tokenization_spaces": False,
        # Training batches pad on the right (positions then start at 0); generation code sets "left".
        "padding_side": "right",
    }
    if model_max_length is not None:
        config["model_max_length"] = model_max_length
    return config


def write_hf_tokenizer(
    model_path: str | os.PathLike[str],
    out_dir: str | os.PathLike[str],
    *,
    model_max_length: int | None = None,
) -> Path:
    """Write tokenizer.json, tokenizer_config.json and special_tokens_map.json (+ tokenizer.model) into `out_dir`."""
    model_path = Path(model_path)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    proto = load_model_proto(model_path)
    tokenizer = fast_tokenizer(proto, where=str(model_path))
    target = out_dir / "tokenizer.model"
    if target.resolve() != model_path.resolve():
        _write_atomic(target, model_path.read_bytes())
    _write_atomic(out_dir / TOKENIZER_JSON, (tokenizer.to_str(pretty=True) + "\n").encode("utf-8"))
    config = tokenizer_config(proto, model_max_length=model_max_length)
    _write_json(out_dir / TOKENIZER_CONFIG, config)
    specials = {key: config[key] for key in ("bos_token", "eos_token", "unk_token", "pad_token")}
    _write_json(out_dir / SPECIAL_TOKENS_MAP, specials)
    return out_dir


def _write_json(path: Path, obj: dict) -> None:
    _write_atomic(path, (json.dumps(obj, ensure_ascii=False, indent=2) + "\n").encode("utf-8"))


def _write_atomic(path: Path, data: bytes) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)
