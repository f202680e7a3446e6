"""xuanyuan: a reproducible rebuild of the XuanYuan-70B recipe, from raw pages to an evaluated model."""

__version__ = "0.1.0"
