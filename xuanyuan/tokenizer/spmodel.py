"""Reading, checking and writing SentencePiece model files (`tokenizer.model`)."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import sentencepiece as spm
from google.protobuf.message import DecodeError
from sentencepiece import sentencepiece_model_pb2 as model_pb2

ModelProto = model_pb2.ModelProto
PieceType = model_pb2.ModelProto.SentencePiece
BPE = model_pb2.TrainerSpec.BPE

_FIX = (
    "set tokenizer.base_model to the base model's SentencePiece file (Llama-2's tokenizer.model, "
    "not tokenizer.json), or to null to train a stand-in"
)


def load_model_proto(path: str | os.PathLike[str]) -> ModelProto:
    """Parse a SentencePiece BPE model; a missing or wrong file is a ValueError naming it and the fix."""
    path = Path(path)
    if path.is_dir():
        raise ValueError(f"{path} is a directory, not a SentencePiece model; {_FIX} (e.g. {path / 'tokenizer.model'})")
    if not path.is_file():
        raise ValueError(f"{path} does not exist; {_FIX}")
    data = path.read_bytes()
    proto = ModelProto()
    try:
        proto.ParseFromString(data)
    except DecodeError:
        raise ValueError(f"{path} is not a SentencePiece model (it does not parse as a ModelProto); {_FIX}") from None
    # Some non-model bytes (an empty file, short text) parse as a ModelProto with no pieces.
    if not proto.pieces:
        raise ValueError(f"{path} is not a SentencePiece model (no pieces in it); {_FIX}")
    try:
        spm.SentencePieceProcessor(model_proto=data)
    except RuntimeError as exc:
        raise ValueError(f"{path} is not a usable SentencePiece model ({str(exc).strip()}); {_FIX}") from None
    if proto.trainer_spec.model_type != BPE:
        kind = model_pb2.TrainerSpec.ModelType.Name(proto.trainer_spec.model_type)
        raise ValueError(
            f"{path} is a {kind} SentencePiece model; the character expansion needs a BPE model with byte "
            f"fallback like Llama-2's; {_FIX}"
        )
    return proto


def write_model_proto(proto: ModelProto, path: str | os.PathLike[str]) -> Path:
    """Serialise atomically, so a killed job never leaves half a model behind."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(proto.SerializeToString())
    os.replace(tmp, path)
    return path


def processor(path: str | os.PathLike[str]) -> spm.SentencePieceProcessor:
    """The sentencepiece encoder/decoder of a model file: the reference ("slow") tokenizer."""
    return spm.SentencePieceProcessor(model_file=str(path))


def file_sha256(path: str | os.PathLike[str]) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()
