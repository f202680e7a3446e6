"""Errors of the quantization stage that are the user's to fix; each message names the file and the fix."""

from xuanyuan.errors import UserError


class QuantizeError(UserError):
    """Base of the quantization stage's user errors."""


class ModelDirError(QuantizeError):
    """The model directory is missing, or lacks config.json, weights or tokenizer files."""


class UnsupportedModelError(QuantizeError):
    """The model directory holds an architecture this stage does not quantize (only Llama)."""


class CalibrationError(QuantizeError):
    """The calibration texts are too few or too short for the configured samples."""


class BackendMissingError(QuantizeError):
    """The package a variant needs (bitsandbytes, gptqmodel) is not installed or cannot run here."""


class SettingsError(QuantizeError):
    """A `quantize` config value is unknown or out of range."""
