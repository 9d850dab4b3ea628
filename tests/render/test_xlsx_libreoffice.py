"""Print check with LibreOffice: a long Shanghai project converted to PDF shows
its whole 项目概况 (the estimated row height does not cut the text off)."""

from __future__ import annotations

import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from test_xlsx_support import SHANGHAI_TREE, project, render, shanghai_header

from tests.libreoffice import needs_pdftotext, needs_soffice, pdf_text, soffice_convert

pytestmark = [needs_soffice, needs_pdftotext]

LONG_OVERVIEW = (
    "根据市机管局要求申报2020年度办公用房维修计划，根据机管局维修批复安排维修预算。"
    "项目主要包括：重新粉刷办公室、会议室及卫生间、茶水间的顶面和墙面；重新粉刷楼梯间的顶面和墙面；"
    "重新粉刷走道及公共空间的顶面和墙面；对财务室进行空间布局调整；对案件研究中心进行功能性调整；"
    "对案件受理中心大厅进行功能性调整。\n"
    "第二段：更换老化的给排水管道（DN50/DN100）共计320米，改造配电箱12台、照明灯具460套，"
    "维修外墙渗漏点及屋面防水层约1,850平方米，确保2020年12月31日前完工并通过验收。\n"
    "第三段：施工期间采取分区、分时段作业，不影响正常办案；工程结束后由第三方机构出具审价报告，"
    "建立维修档案，纳入长效管理。" * 2
)


def _squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _convert(blob: bytes, tmp_path: Path) -> str:
    source = tmp_path / "table.xlsx"
    source.write_bytes(blob)
    soffice_convert([source], tmp_path, tmp_path / "lo-profile", timeout=180)
    pdf = tmp_path / "table.pdf"
    assert pdf.is_file(), "LibreOffice wrote no PDF"
    return pdf_text(pdf)


def test_long_overview_prints_whole(tmp_path: Path) -> None:
    header = shanghai_header(overview=LONG_OVERVIEW)
    text = _squeeze(_convert(render(project(header, SHANGHAI_TREE)), tmp_path))
    assert "财政项目支出绩效目标表" in text
    for paragraph in LONG_OVERVIEW.split("\n"):
        assert _squeeze(paragraph) in text, f"cut off or missing: {paragraph[:20]}…"
    assert "2,468,000" in text
    assert "=100%" in text
    assert "检察院工作人员满意度" in text
