"""Write .npz files byte-for-byte reproducibly (np.savez_compressed stamps the current time)."""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

import numpy as np

# A fixed zip timestamp: identical inputs must give identical files (checksums, reruns).
_EPOCH = (1980, 1, 1, 0, 0, 0)


def save_npz(path: str | os.PathLike[str], **arrays: np.ndarray) -> None:
    """Save `arrays` as a deflate-compressed .npz readable by np.load, atomically and deterministically."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, array in arrays.items():
            info = zipfile.ZipInfo(f"{name}.npy", date_time=_EPOCH)
            info.compress_type = zipfile.ZIP_DEFLATED
            with archive.open(info, "w", force_zip64=True) as member:
                np.lib.format.write_array(member, np.asanyarray(array), allow_pickle=False)
    os.replace(tmp, path)
