"""The command line: parses options, calls one function per command, prints.

This is the only module that prints or exits.  Heavy libraries are imported
inside the commands that need them so that ``sheetgen --help`` stays fast.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn, TextIO

from sheetgen import __version__, cli_text

if TYPE_CHECKING:  # imported lazily at run time, so that --help stays fast
    from sheetgen.build.runner import BuildOptions, Summary
    from sheetgen.errors import Diagnostic

EXIT_OK, EXIT_ERRORS, EXIT_USAGE = 0, 1, 2

DESCRIPTION = """\
sheetgen：用 YAML 项目说明生成可直接报送的《绩效目标表》（Word 和 Excel）。

常用：
  sheetgen serve specs/          边写边看：在浏览器里实时预览表格（保存即更新）
  sheetgen check specs/          检查所有项目说明，列出每个问题（文件:行:列）
  sheetgen build specs/          生成全部表格到 output/ 文件夹
  sheetgen import 旧表.txt -o specs/单位/   把已有的表格转成项目说明
  sheetgen new 项目名称 -o specs/单位/      新建一个项目说明（带注释，预填常用指标）
  sheetgen rollover specs/单位 --to 2021    用今年的说明开始明年的

使用指南：docs/guide.md
"""


class _Parser(argparse.ArgumentParser):
    """argparse, with usage errors in Chinese and exit code 2 (its texts come from :mod:`sheetgen.cli_text`)."""

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        print(f"sheetgen: 用法错误：{message}", file=sys.stderr)
        raise SystemExit(EXIT_USAGE)


def _whole_number(text: str) -> int:
    """Return ``text`` as an integer; argparse shows the Chinese error when it is none."""
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"“{text}”不是整数") from None


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="sheetgen", description=DESCRIPTION,
                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=f"sheetgen {__version__}", help="显示版本号并退出")
    commands = parser.add_subparsers(dest="command", metavar="命令", parser_class=_Parser)

    check = commands.add_parser("check", help="检查项目说明，列出所有错误和警告",
                                description="检查项目说明（文件或文件夹），每个问题一行："
                                "文件:行:列: 错误|警告 [代码] 标签 (路径): 说明。"
                                "没有错误时退出码为 0，有错误为 1，用法错误为 2。")
    check.add_argument("paths", nargs="*", type=Path, default=[Path("specs")], metavar="路径",
                       help="项目说明文件或文件夹（默认 specs/）")
    check.add_argument("--strict", action="store_true", help="把警告也当作错误")
    check.add_argument("--format", choices=("text", "json"), default="text", help="输出格式（json 供编辑器和 CI 使用）")

    build = commands.add_parser("build", help="生成表格（Word/Excel）",
                                description="检查并生成表格：每个项目一个文件，每个文件夹（单位）另有一份汇总文档和汇总工作簿。"
                                "一个项目出错不影响其他项目；有项目失败时退出码为 1。")
    build.add_argument("paths", nargs="*", type=Path, default=[Path("specs")], metavar="路径",
                       help="项目说明文件或文件夹（默认 specs/）")
    build.add_argument("-o", "--output", type=Path, default=Path("output"), metavar="文件夹",
                       help="输出文件夹（默认 output/）")
    build.add_argument("--format", default="docx,xlsx", metavar="格式",
                       help="要生成的格式，逗号分隔：docx、xlsx、pdf（默认 docx,xlsx；pdf 需要 LibreOffice）")
    build.add_argument("--pdf", action="store_true",
                       help="同时用 LibreOffice 生成 PDF（等同于 --format docx,xlsx,pdf）")
    build.add_argument("--table", default=None, metavar="表",
                       help="只生成这几种表，逗号分隔，如 自评表 或 目标表,自评表（默认：绩效目标表，"
                       "另给写了年终数据的项目生成绩效自评表）；要了自评表时，没有年终数据的项目是错误")
    build.add_argument("--jobs", "-j", type=_whole_number, default=0, metavar="N",
                       help="并行进程数（默认：CPU 核数；每个单位是一个任务，进程数不超过要生成的单位数）")
    build.add_argument("--force", action="store_true", help="全部重新生成，即使没有变化")
    build.add_argument("--strict", action="store_true", help="把警告也当作错误")
    build.add_argument("--wait", type=float, default=None, metavar="秒",
                       help="另一个 sheetgen 正在向同一输出文件夹生成时，最多等它多少秒（默认 600）")
    verbosity = build.add_mutually_exclusive_group()
    verbosity.add_argument("--quiet", "-q", action="store_true", help="只报告错误")
    verbosity.add_argument("--verbose", "-v", action="store_true", help="列出每个生成的文件")
    build.add_argument("--watch", "-w", action="store_true",
                       help="生成后继续监视：每次保存项目说明或模板就自动重新生成改动的部分，按 Ctrl-C 停止")

    imp = commands.add_parser("import", help="把已有的表格（文本、Word、Excel）转成项目说明",
                              description="把已有的绩效目标表转成 YAML 项目说明："
                              "每个项目一个文件，另加单位的 _defaults.yaml。")
    imp.add_argument("files", nargs="+", type=Path, metavar="文件", help="要导入的文件")
    imp.add_argument("-o", "--output", type=Path, required=True, metavar="文件夹", help="写入项目说明的文件夹")
    imp.add_argument("--layout", choices=("grid", "pdftext", "docxtext"), default=None,
                     help="文本文件的版式（默认自动识别）")
    imp.add_argument("--jurisdiction", default=None, metavar="格式",
                     help="Word/Excel 表格的格式（templates 下的文件夹名，如 shanghai、tianjin；默认按表头自动识别）")
    imp.add_argument("--force", action="store_true", help="覆盖已存在的项目说明")
    _add_authoring_parsers(commands)
    _add_serve_parser(commands)
    return parser


def _add_serve_parser(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add ``serve``: the live preview in the browser."""
    serve = commands.add_parser(
        "serve", help="在浏览器里实时预览表格（边写边看，保存即更新）",
        description="启动本机的预览网页：列出每个单位和项目及其状态；项目页显示表格（与 Word 文件一致）和每个问题"
        "（文件:行:列），保存项目说明、共用指标块、_defaults.yaml 或模板后，打开的网页一秒内自动更新。"
        "页面上可以下载 Word、Excel（装有 LibreOffice 时还有 PDF），文件生成到输出文件夹，与 sheetgen build 相同。"
        "按 Ctrl-C 停止。")
    serve.add_argument("path", nargs="?", type=Path, default=Path("specs"), metavar="路径",
                       help="项目说明文件夹（默认 specs/）")
    serve.add_argument("-o", "--output", type=Path, default=Path("output"), metavar="文件夹",
                       help="下载的文件生成到这里（默认 output/）")
    serve.add_argument("--port", "-p", type=int, default=8000, metavar="端口", help="端口（默认 8000）")
    serve.add_argument("--host", default="127.0.0.1", metavar="地址",
                       help="监听的地址（默认 127.0.0.1：只有本机能打开；0.0.0.0 让同一网络的其他电脑也能打开）")
    serve.add_argument("--open", action="store_true", help="启动后用默认浏览器打开预览")


def _add_authoring_parsers(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add the commands that help write specs: schema, new, templates, rollover."""
    specs_help = "项目说明所在的文件夹，用来找其中 templates/ 里自己做的格式（默认 specs/）"
    schema = commands.add_parser(
        "schema", help="输出项目说明的 JSON Schema（让编辑器自动补全、提示错误）",
        description="输出项目说明的 JSON Schema，供 VS Code 等编辑器的 YAML 插件使用：输入时自动补全键名和"
        "一级/二级指标名称，鼠标悬停显示表上的标签，写错时标红。不指定 --jurisdiction 时适用于所有格式。")
    schema.add_argument("--jurisdiction", metavar="格式", help="只针对这个格式（如 shanghai、tianjin），提示更准确")
    schema.add_argument("-o", "--output", type=Path, metavar="文件",
                        help="写入这个文件（如 specs/sheetgen.schema.json），不写则输出到屏幕")
    schema.add_argument("--format-file", choices=("jurisdiction.yaml", "schema.yaml"), metavar="文件名",
                        help="改为输出格式文件夹里 jurisdiction.yaml 或 schema.yaml 的 JSON Schema"
                        "（每个键的类型和含义），给做新格式的人用")
    schema.add_argument("--specs", type=Path, default=Path("specs"), metavar="文件夹", help=specs_help)

    templates = commands.add_parser("templates", help="查看或复制表格格式（新省份的格式不用写代码）",
                                    description="表格格式（jurisdiction）是一个文件夹：Word 模板、Excel 模板、"
                                    "jurisdiction.yaml（标签、名称、金额单位）和 schema.yaml（字段）。")
    actions = templates.add_subparsers(dest="action", metavar="操作", parser_class=_Parser, required=True)
    listing = actions.add_parser("list", help="列出能用的格式及其来源", description="列出能用的格式：名称、标题、"
                                 "格式年度、来源（内置，或项目说明旁 templates/ 里自己做的）。")
    listing.add_argument("--specs", type=Path, default=Path("specs"), metavar="文件夹", help=specs_help)
    copy = actions.add_parser("copy", help="复制一个格式文件夹，改成自己的格式",
                              description="把格式文件夹复制一份（不会覆盖已有的文件夹），之后直接编辑其中的文件；"
                              "新格式的名称就是新文件夹的名字。"
                              "例如：sheetgen templates copy tianjin specs/templates/hebei")
    copy.add_argument("name", metavar="格式", help="要复制的格式，如 tianjin")
    copy.add_argument("dest", type=Path, metavar="新文件夹", help="新格式的文件夹，如 specs/templates/hebei")
    copy.add_argument("--specs", type=Path, default=Path("specs"), metavar="文件夹", help=specs_help)
    checking = actions.add_parser("check", help="检查模板：列出每个模板用到的名称，指出格式里没有的",
                                  description="检查格式的 Word、Excel 模板：列出每个模板用到的名称（project.name、"
                                  "row.value……）和它印在每页上的页眉页脚，指出格式的数据里没有的名称（多半是拼错了）。"
                                  "有这样的名称时退出码为 1；sheetgen check 和 build 也会报告它们。"
                                  "例如：sheetgen templates check specs/templates/hebei")
    checking.add_argument("folder", nargs="?", type=Path, metavar="文件夹",
                          help="格式文件夹（如 specs/templates/hebei），或放着几个格式文件夹的文件夹；"
                          "默认检查能用的全部格式")
    checking.add_argument("--specs", type=Path, default=Path("specs"), metavar="文件夹", help=specs_help)

    new = commands.add_parser("new", help="新建一个项目说明（带注释的空白表，预填常用指标）",
                              description="在单位文件夹里新建一个项目说明：每一项都注明表上的标签，"
                              "预填同类项目常用的指标；空着的项和“待填写”由你填写，sheetgen check 会逐项列出还没填的。"
                              "文件夹里还没有 _defaults.yaml 时一并新建。")
    new.add_argument("name", metavar="项目名称", help="项目名称，如 2026年检察业务经费项目")
    new.add_argument("-o", "--output", type=Path, default=Path("."), metavar="文件夹",
                     help="单位文件夹，如 specs/sh-yifenyuan-2020（默认当前文件夹）")
    new.add_argument("--jurisdiction", metavar="格式",
                     help="表格格式，如 shanghai、tianjin（默认取单位 _defaults.yaml 里的格式）")
    new.add_argument("--type", dest="performance_type", metavar="绩效类型",
                     help="绩效类型（上海格式），如 其他类、政府采购类、基本建设工程类、信息化建设工程类、事业/专业类；"
                     "按类型预填常用指标")

    roll = commands.add_parser("rollover", help="用今年的项目说明开始明年的（复制后改年度、日期、上年预算）",
                               description="把单位文件夹（或整个 specs/）复制成新一年的：年度和日期顺延，"
                               "项目名称和文件名里的年份跟着改，今年的预算结转到“上年”栏（上海：项目当年预算 → "
                               "同名项目上年预算额，上年执行数清空）；长段文字里的年份不改，只列出来请你核对。"
                               "原来的文件夹一点不动。")
    roll.add_argument("source", type=Path, metavar="原文件夹", help="今年的单位文件夹，如 specs/sh-yifenyuan-2020")
    roll.add_argument("--to", dest="year", type=_whole_number, required=True, metavar="年度", help="新的年度，如 2021")
    roll.add_argument("-o", "--output", type=Path, metavar="新文件夹",
                      help="新文件夹（默认：把原文件夹名里的年份换掉，如 specs/sh-yifenyuan-2021）")
    roll.add_argument("-n", "--dry-run", action="store_true", help="只列出会改什么，不写文件")


def _print_diagnostics(diagnostics: Sequence[Diagnostic], stream: TextIO | None = None) -> None:
    out = stream or sys.stdout
    for diagnostic in diagnostics:
        print(diagnostic.format(), file=out)


def cmd_check(args: argparse.Namespace) -> int:
    from sheetgen.checking import check

    report = check(args.paths, strict=args.strict)
    if args.format == "json":
        import json

        payload = {
            "files": len(report.specs),
            "errors": report.errors,
            "warnings": report.warnings,
            "diagnostics": [d.to_json() for d in report.diagnostics],
        }
        print(json.dumps(payload, ensure_ascii=False, indent=2))
    else:
        _print_diagnostics(report.diagnostics)
        print(f"检查了 {len(report.specs)} 个项目说明：{report.errors} 个错误，{report.warnings} 个警告",
              file=sys.stderr)
    if any(d.code == "not-found" for d in report.diagnostics):
        return EXIT_USAGE
    return EXIT_ERRORS if report.errors else EXIT_OK


def cmd_build(args: argparse.Namespace) -> int:
    from sheetgen.build.runner import BuildOptions, run_build

    formats = tuple(f.strip().lower() for f in args.format.split(",") if f.strip())
    if args.pdf and "pdf" not in formats:
        formats = (*formats, "pdf")
    unknown = [f for f in formats if f not in ("docx", "xlsx", "pdf")]
    if unknown or not formats:
        shown = "、".join(unknown) or "（空）"
        print(f"sheetgen: 用法错误：不认识的格式 {shown}；可用 docx、xlsx、pdf", file=sys.stderr)
        return EXIT_USAGE
    if args.jobs < 0:
        print("sheetgen: 用法错误：--jobs 不能是负数", file=sys.stderr)
        return EXIT_USAGE
    if args.wait is not None and not 0 <= args.wait < float("inf"):
        print("sheetgen: 用法错误：--wait 应是不小于 0 的秒数", file=sys.stderr)
        return EXIT_USAGE
    tables: tuple[str, ...] = ()
    if args.table is not None:
        from sheetgen.build.plan import table_kinds
        from sheetgen.workspace import Workspace

        names = [n.strip() for n in args.table.replace("，", ",").split(",") if n.strip()]
        tables, unknown, known = table_kinds(names, Workspace(), args.paths)
        if unknown or not names:
            shown = "、".join(unknown) or "（空）"
            print(f"sheetgen: 用法错误：没有叫“{shown}”的表；可用：{'、'.join(known)}（也可只写名称的一部分）",
                  file=sys.stderr)
            return EXIT_USAGE
    options = BuildOptions(paths=tuple(args.paths), output=args.output, formats=formats, jobs=args.jobs,
                           force=args.force, strict=args.strict, tables=tables,
                           **({"wait": args.wait} if args.wait is not None else {}))
    from sheetgen.console import Reporter

    if getattr(args, "watch", False):
        return _watch_build(options, args)
    reporter = Reporter(quiet=args.quiet, verbose=args.verbose)
    summary = run_build(options, reporter)
    reporter.finish(summary)
    return EXIT_OK if summary.ok else EXIT_ERRORS


def cmd_import(args: argparse.Namespace) -> int:
    from sheetgen.errors import ImportFormatError, SheetgenError
    from sheetgen.importing import import_to_folder

    try:
        report = import_to_folder(args.files, args.output, layout=args.layout, force=args.force,
                                  jurisdiction=args.jurisdiction)
    except ImportFormatError as exc:
        print(f"sheetgen: {exc}", file=sys.stderr)
        return EXIT_ERRORS
    except SheetgenError as exc:
        print(f"sheetgen: {exc}", file=sys.stderr)
        return EXIT_ERRORS
    _print_diagnostics(report.diagnostics)
    for path in report.written:
        print(f"写入 {path}")
    for path in report.skipped:
        print(f"跳过 {path}（已存在；用 --force 覆盖）", file=sys.stderr)
    return EXIT_ERRORS if report.failed else EXIT_OK


COMMANDS = {"check": cmd_check, "build": cmd_build, "import": cmd_import}


# ----------------------------------------------------------------------------- authoring commands


def cmd_schema(args: argparse.Namespace) -> int:
    from sheetgen.authoring.schema_export import any_schema, spec_schema, to_json
    from sheetgen.build.atomic import write_atomic
    from sheetgen.errors import JurisdictionError
    from sheetgen.workspace import Workspace

    formats = Workspace().formats(args.specs, tree=True)
    if args.format_file:
        from sheetgen.authoring.format_schema import format_file_schema

        schema = format_file_schema(args.format_file)
    elif args.jurisdiction:
        schema = spec_schema(formats.get(args.jurisdiction))
    else:
        for name, loaded in formats.found:
            if isinstance(loaded, JurisdictionError):
                print(f"sheetgen: 跳过有错误的格式“{name}”：{loaded}", file=sys.stderr)
        schema = any_schema(formats.usable())
    text = to_json(schema)
    if args.output is None:
        sys.stdout.write(text)
        return EXIT_OK
    write_atomic(args.output, text.encode("utf-8"))
    print(f"写入 {args.output}", file=sys.stderr)
    return EXIT_OK


def cmd_templates(args: argparse.Namespace) -> int:
    from sheetgen.authoring.templates_cmd import copy_jurisdiction, list_jurisdictions, override_dirs

    dirs = override_dirs(args.specs)
    if args.action == "check":
        return _check_templates(args.folder, dirs)
    if args.action == "copy":
        result = copy_jurisdiction(args.name, args.dest, dirs)
        print(f"已把格式“{args.name}”（{result.source}）复制到 {result.dest}，共 {len(result.files)} 个文件：")
        for path in result.files:
            print(f"  {path}")
        for note in result.notes:
            print(f"提示：{note}")
        return EXIT_OK
    for entry in list_jurisdictions(dirs):
        where = "内置" if entry.builtin else str(entry.folder)
        if entry.same_as_builtin:
            where += "（与内置的相同）"
        elif entry.overrides_builtin:
            where += "（代替内置的同名格式）"
        if entry.problem:
            print(f"{entry.name}\t有错误：{entry.problem}\t来源：{where}")
            continue
        year = f"{entry.format_year} 年度格式" if entry.format_year else "未注明年度"
        based = f"\t基于 {entry.extends}" if entry.extends else ""
        print(f"{entry.name}\t{entry.title}\t{year}\t来源：{where}{based}")
    return EXIT_OK


def _check_templates(folder: Path | None, dirs: tuple[Path, ...]) -> int:
    """``sheetgen templates check``: print what each template uses and carries, then its problems."""
    from sheetgen.errors import JurisdictionError
    from sheetgen.render.template_check import KIND_NAMES, diagnostics, load_folders, reports

    problems, broken, count = [], 0, 0
    for found in load_folders(folder, dirs):
        if isinstance(found, JurisdictionError):
            print(f"sheetgen: {found}", file=sys.stderr)
            broken += 1
            continue
        print(f"格式 {found.name}：{found.folder}")
        for item in reports(found):
            count += 1
            kind = KIND_NAMES[item.kind]
            if item.error:
                print(f"  {kind} 模板 {item.path}：无法使用（见下）")
            else:
                print(f"  {kind} 模板 {item.path} 用到 {len(item.used)} 个名称：{'、'.join(item.used) or '（无）'}")
            for where, text in item.furniture:
                print(f"    {where}：{text}（每份文件都会印上；不需要时在 {kind} 里删去）")
            problems += diagnostics([item])
    _print_diagnostics(problems)
    unusable = f"，{broken} 个格式的文件有错误" if broken else ""
    print(f"检查了 {count} 个模板：{len(problems)} 个错误{unusable}", file=sys.stderr)
    return EXIT_ERRORS if problems or broken else EXIT_OK


def cmd_new(args: argparse.Namespace) -> int:
    from sheetgen.authoring.skeleton import new_spec, write_new
    from sheetgen.checking import check

    made = new_spec(args.name, args.output, jurisdiction=args.jurisdiction, performance_type=args.performance_type)
    for path in write_new(made):
        print(f"写入 {path}")
    for note in made.notes:
        print(f"提示：{note}")
    report = check([made.spec])
    left = [d for d in report.diagnostics if d.code == "to-fill"]
    other = [d for d in report.diagnostics if d.code != "to-fill"]
    print(f"还要填写 {len(left)} 处（填好后运行 sheetgen check {made.spec} 再检查）：")
    for diagnostic in left:
        print(f"  第 {diagnostic.line} 行  {diagnostic.message.removeprefix('尚未填写：')}"
              + ("" if diagnostic.path == report.specs[0].file.display else f"（{diagnostic.path}）"))
    _print_diagnostics(other)
    return EXIT_OK


def cmd_rollover(args: argparse.Namespace) -> int:
    from sheetgen.authoring.rollover import plan_rollover, write_rollover

    if not 1990 <= args.year <= 2100:
        print(f"sheetgen: 用法错误：年度 {args.year} 不在 1990–2100 之间", file=sys.stderr)
        return EXIT_USAGE
    plan = plan_rollover(args.source, args.year, args.output)
    if not args.dry_run:
        write_rollover(plan)
    verb = "将生成" if args.dry_run else "已生成"
    print(f"{verb} {plan.year} 年的项目说明：{plan.source} → {plan.dest}（{len(plan.files)} 个文件；原文件夹未改动）")
    for old, new in plan.renamed:
        print(f"改名：{old} → {new}")
    for file, (changes, notes) in plan.by_file().items():
        print(f"\n{file}")
        for change in changes:
            print(f"  {change.label or change.path} ({change.path})：{change.old} → {change.new}")
        for note in notes:
            where = f"{note.label} ({note.path})：" if note.path else ""
            print(f"  请核对：{where}{note.message}")
    if not args.dry_run:
        print(f"\n下一步：sheetgen check {plan.dest}", file=sys.stderr)
    return EXIT_OK


def _watch_build(options: BuildOptions, args: argparse.Namespace) -> int:
    """Build, then rebuild on every save until Ctrl-C (``build --watch``)."""
    import time

    from sheetgen.authoring.watch import Round, watch
    from sheetgen.build.runner import run_build
    from sheetgen.console import Reporter

    reporters: list[Reporter] = []

    def build(opts: BuildOptions) -> Summary:
        reporters[:] = [Reporter(quiet=args.quiet, verbose=args.verbose)]
        return run_build(opts, reporters[0])

    def on_change(number: int, changed: list[Path]) -> None:
        shown = "、".join(p.name for p in changed[:5]) + ("等" if len(changed) > 5 else "")
        print(f"\n{time.strftime('%H:%M:%S')} 第 {number} 次生成（改动了 {shown}）：", file=sys.stderr)

    def on_round(done: Round) -> None:
        reporters[0].finish(done.summary)
        print("监视中：保存项目说明或模板后自动重新生成；按 Ctrl-C 停止", file=sys.stderr)

    try:
        watch(options, build, on_round, on_change=on_change)
    except KeyboardInterrupt:
        print("\nsheetgen: 已停止监视；已写好的文件完整保留", file=sys.stderr)
    return EXIT_OK


def cmd_serve(args: argparse.Namespace) -> int:
    """Serve the live preview until Ctrl-C."""
    from sheetgen.serve.server import ServeOptions, serve

    if not 0 < args.port < 65536:
        print(f"sheetgen: 用法错误：端口 {args.port} 不在 1–65535 之间", file=sys.stderr)
        return EXIT_USAGE
    options = ServeOptions(args.path, args.output, args.host, args.port, args.open)

    def say(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    def ready() -> None:
        say(f"正在预览 {options.root}/，下载的文件生成到 {options.output}/；保存后网页自动更新。按 Ctrl-C 停止")
        if not options.local:
            say(f"注意：--host {options.host} 让同一网络里的其他电脑也能打开预览（用本机的 IP 地址），"
                "看到所有项目说明的内容；只在确有需要时这样用")
        print(f"预览：{options.url}", flush=True)
        if options.open_browser:
            import webbrowser

            webbrowser.open(options.url)

    with contextlib.suppress(KeyboardInterrupt):  # Ctrl-C is how it stops
        serve(options, say, ready=ready)
    say("sheetgen: 已停止预览；已生成的文件完整保留")
    return EXIT_OK


COMMANDS.update({"schema": cmd_schema, "templates": cmd_templates, "new": cmd_new, "rollover": cmd_rollover,
                 "serve": cmd_serve})


def main(argv: Sequence[str] | None = None) -> int:
    """Run sheetgen with ``argv``; return the exit code."""
    with cli_text.chinese():
        parser = _parser()
        args = parser.parse_args(argv)
        if not args.command:
            parser.print_help()
            return EXIT_USAGE
    from sheetgen.errors import SheetgenError

    try:
        return COMMANDS[args.command](args)
    except SheetgenError as exc:
        print(f"sheetgen: {exc}", file=sys.stderr)
        return EXIT_ERRORS
    except KeyboardInterrupt:
        print("\nsheetgen: 已中断；已写好的文件完整保留，未完成的文件没有写入", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return EXIT_OK


def run() -> NoReturn:
    """Run sheetgen with the process's arguments and end the process with its exit code (the
    ``sheetgen`` command and ``python -m sheetgen``; :func:`main` is the same, returning it).

    When nothing is left to wind down -- no other thread, no child process, no profiler or
    tracer -- the process ends at once (``os._exit``) once its output is flushed: Python's
    teardown of every module and object is skipped, 35-45 ms of each run here (a sixth of a
    cold ``check``).  Whatever a command writes is complete and closed when it returns
    (:mod:`sheetgen.build.atomic`)."""
    try:
        code = main()
    except SystemExit as exc:  # argparse's --help, --version and usage errors
        if not isinstance(exc.code, int):
            raise
        code = exc.code
    _end(code)


def _end(code: int) -> NoReturn:
    """End the process with ``code`` (see :func:`run`)."""
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # a closed pipe: nothing more reaches it
            stream.flush()
    threading, processes = sys.modules.get("threading"), sys.modules.get("multiprocessing")
    busy = (threading is not None and threading.active_count() > 1) or (
        processes is not None and processes.active_children())
    if not busy and sys.getprofile() is None and sys.gettrace() is None:
        os._exit(code)
    sys.exit(code)


if __name__ == "__main__":  # pragma: no cover
    run()
