"""Files to grids of cells (sheet name -> rows), or one clear reason why not."""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

import python_calamine as pc
from charset_normalizer import from_bytes

from township.model import Rejection

Grid = list[list[object]]

OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_SIGNATURE = b"PK\x03\x04"
CSV_ENCODINGS = ["utf_8", "gb18030", "gbk", "big5"]


class Rejected(Exception):
    """A file that cannot be read at all; carries the one reason given to the village."""

    def __init__(self, code: str, message_zh: str, public_zh: str | None = None):
        super().__init__(code)
        self.rejection = Rejection(code, message_zh, public_zh)


def load_grids(
    path: Path, max_bytes: int | None = None, data: bytes | None = None
) -> dict[str, Grid]:
    """Every sheet of a workbook (or the one table of a CSV) as rows of Python values.
    `data`: the file's bytes, when the caller has read them already.

    Rows keep their Excel numbering: grid[0] is Excel row 1, even above the first non-empty cell.
    """
    path = Path(path)
    size = path.stat().st_size if data is None else len(data)
    if size == 0:
        raise Rejected("empty_file", "文件是空的（0 字节），请重新保存后再报送。")
    if max_bytes is not None and size > max_bytes:
        raise Rejected(
            "file_too_large",
            f"文件过大（{size / 1048576:.1f} MB，上限 {max_bytes / 1048576:.1f} MB），"
            "请删除多余的工作表或图片后再报送。",
        )
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return {path.stem: _csv_grid(path.read_bytes() if data is None else data)}
    if suffix not in (".xlsx", ".xls", ".xlsm"):
        raise Rejected("unsupported_format", "不支持的文件类型，请报送 .xlsx、.xls 或 .csv 文件。")
    # read once (the size was checked): signature, zip check, calamine
    return _workbook_grids(path, suffix, path.read_bytes() if data is None else data)


def _workbook_grids(path: Path, suffix: str, data: bytes) -> dict[str, Grid]:
    _check_signature(suffix, data)
    try:
        if suffix == ".xls":
            workbook = pc.CalamineWorkbook.from_path(str(path))
        else:  # from memory: quicker than from_path, which reads the archive piece by piece
            workbook = pc.CalamineWorkbook.from_filelike(io.BytesIO(data))
        return {
            name: workbook.get_sheet_by_name(name).to_python(skip_empty_area=False)
            for name in workbook.sheet_names
        }
    except pc.PasswordError as exc:
        raise _password_protected() from exc
    except (pc.CalamineError, pc.ZipError, pc.XmlError, ValueError, OSError) as exc:
        raise _corrupt() from exc
    except Exception as exc:  # calamine raises plain errors for some broken archives
        raise _corrupt() from exc


def _check_signature(suffix: str, data: bytes) -> None:
    head = data[:8]
    if head.startswith(OLE_SIGNATURE) and suffix in (".xlsx", ".xlsm"):
        # Excel stores a password-protected .xlsx inside an OLE container.
        raise _password_protected()
    if suffix in (".xlsx", ".xlsm") and not head.startswith(ZIP_SIGNATURE):
        text = data[:512].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
        if text.startswith(b"<"):
            raise Rejected(
                "html_saved_as_xlsx",
                "文件实际是网页（HTML），只是扩展名为 .xlsx。请在 Excel/WPS 中“另存为” Excel 工作簿（.xlsx）。",
            )
        raise Rejected(
            "text_saved_as_xlsx",
            "文件实际是文本（可能是 CSV），只是扩展名为 .xlsx。请在 Excel/WPS 中“另存为” Excel 工作簿（.xlsx）。",
        )
    if suffix in (".xlsx", ".xlsm") and not zipfile.is_zipfile(io.BytesIO(data)):
        raise _corrupt()


def _password_protected() -> Rejected:
    return Rejected(
        "password_protected", "文件设置了打开密码，系统无法读取。请取消密码后重新报送。"
    )


def _corrupt() -> Rejected:
    return Rejected(
        "corrupt_file", "文件已损坏或不完整，无法打开。请在 Excel/WPS 中打开确认后重新保存并报送。"
    )


def decode_text(data: bytes) -> str:
    """Bytes of a CSV as text, with the encoding detected (UTF-8, UTF-8 BOM, GBK, GB18030)."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8")
    best = from_bytes(data, cp_isolation=CSV_ENCODINGS).best()
    if best is None:
        raise Rejected(
            "unknown_encoding", "无法识别文件的文字编码。请用 Excel/WPS 另存为“CSV UTF-8”或 .xlsx。"
        )
    encoding = best.encoding
    # GBK is a subset of GB18030: decoding with the superset never loses a character.
    if encoding in ("gbk", "gb2312"):
        encoding = "gb18030"
    return data.decode(encoding)


def _csv_grid(data: bytes) -> Grid:
    text = decode_text(data)
    if not text.strip():
        raise Rejected("empty_file", "文件没有内容，请填写后再报送。")
    try:
        return [list(row) for row in csv.reader(io.StringIO(text))]
    except csv.Error as exc:  # e.g. one cell longer than csv.field_size_limit() (128 KiB)
        raise Rejected(
            "malformed_csv",
            "CSV 文件格式有误（某一格内容过长），无法读取。请用 Excel/WPS 打开检查后另存为 .xlsx 再报送。",
        ) from exc
