"""Serving the archive with Datasette: titles, Chinese labels, facets and canned queries."""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path


def datasette_metadata(database: str) -> dict:
    """Metadata for an archive served under the name ``database`` (the file's stem)."""
    return {
        "title": "政府信息公开工作年度报告档案 · govreports",
        "description": "各级行政机关政府信息公开工作年度报告：原始文件、章节、三张统计表的逐格数字与勾稽关系校验结果。",
        "source": "govreports crawler",
        "databases": {
            database: {
                "tables": {
                    "reports": {
                        "title": "年度报告 reports",
                        "description": "每份年度报告一行：机关、地区、层级、年度、模板，以及抽取出的错误和提示数量。",
                        "label_column": "title",
                        "facets": ["year", "province", "level", "template", "agency"],
                        "sort_desc": "year",
                        "columns": {
                            "agency": "发布机关",
                            "region": "地区（省、市、县连写）",
                            "province": "省级行政区",
                            "prefecture": "地级行政区（直辖市无）",
                            "county": "县级行政区",
                            "region_code": "最具体一级的行政区划代码（统计用区划代码 2023）",
                            "level": "层级 national/province/prefecture/county/township/street/department",
                            "year": "报告年度",
                            "published": "发布日期",
                            "template": "模板：2019 / 2021 / legacy / unknown",
                            "ocr": "1 = 数字由 OCR 从扫描件识别，请核对原件",
                            "errors": "错误级 findings 的数量（勾稽关系不成立、行无法读取等）",
                            "warnings": "提示级 findings 的数量",
                            "report_json": "govreports parse 的完整 JSON",
                        },
                    },
                    "cells": {
                        "title": "统计表逐格数字 cells",
                        "description": "表二（disclosure）、表三（applications）、表四（reviews）每格一行，数字按原文记录。",
                        "facets": ["table_key", "row_key", "column_key"],
                        "columns": {
                            "table_key": "表：disclosure 主动公开 / applications 依申请 / reviews 复议诉讼",
                            "row_key": "行（见 report-template.md 的键）",
                            "column_key": "列",
                            "value": "数值（金额为万元）",
                        },
                    },
                    "findings": {
                        "title": "校验结果 findings",
                        "description": "抽取与勾稽关系校验发现的问题；发现问题不会修改任何数字。",
                        "facets": ["check_name", "severity"],
                        "columns": {
                            "check_name": "校验项",
                            "severity": "error / warning",
                            "location": "位置",
                        },
                    },
                    "sections": {
                        "title": "报告章节 sections",
                        "description": "六个部分的正文（不含表格）。",
                        "facets": ["key"],
                    },
                    "fetches": {
                        "title": "抓取记录 fetches",
                        "description": "每次抓取的 URL、时间、状态码、媒体类型与正文 sha256。",
                        "facets": ["kind", "status", "media_type"],
                    },
                    "documents": {
                        "title": "原始文件 documents",
                        "description": "抓取到的原始字节，按 sha256 去重保存，可据此重新抽取。",
                    },
                    "sources": {
                        "title": "抓取来源 sources",
                        "description": "各来源的起始地址、机关与 CMS 类型。",
                    },
                    "columns": {
                        "title": "发现的年报栏目 columns",
                        "description": "从门户首页或政府信息公开页面找到的年报栏目。",
                    },
                    "crawl_runs": {
                        "title": "抓取运行 crawl_runs",
                        "description": "每个来源每次抓取一行：起止时间、状态（finished 完成；partial 未抓全：抓到的条目少于列表声明的条数、列表页失败、未能跟随的分页或未能渲染的页面；empty 栏目内没有年报；no_column 未找到年报栏目；failed 失败；interrupted 中断）及原因、请求数、304 数、新文件与新报告数、按类型统计的错误、列表声明条数（announced）与实际抓到条数（reached）、渲染的页面、跳过的其他网站。",
                        "facets": ["status", "start_url"],
                        "sort_desc": "id",
                    },
                    "applications_totals": {
                        "title": "表三总计列 applications_totals",
                        "description": "每份报告表三“总计”列的主要行：本年新收、上年结转、办理结果、结转下年。",
                        "facets": ["year", "level"],
                    },
                },
                "queries": {
                    "incomplete_crawls": {
                        "title": "未抓全的来源（最近一次抓取）",
                        "description": (
                            "每个来源最近一次抓取的状态不是 finished 的：partial 抓到的少于列表声明的条数，"
                            "empty 栏目内没有年报，no_column 未找到年报栏目，failed 失败，interrupted 中断。"
                        ),
                        "sql": (
                            "select r.start_url, s.agency, r.status, r.reason, r.announced, r.reached, "
                            "r.rendered, r.skipped_hosts, r.started_at "
                            "from crawl_runs r left join sources s on s.id = r.source_id "
                            "where r.id in (select max(id) from crawl_runs group by start_url) "
                            "and r.status != 'finished' order by r.started_at desc"
                        ),
                    },
                    "applications_by_year": {
                        "title": "各年度依申请公开总量",
                        "sql": (
                            "select year, count(*) as reports, sum(new_received) as new_received, "
                            "sum(granted) as granted, sum(total_handled) as total_handled "
                            "from applications_totals group by year order by year"
                        ),
                    },
                    "applications_long_run": {
                        "title": "各机关历年收到申请数（含2019年前的统计表）",
                        "description": "2019年起取表三本年新收总计，此前取统计表「收到申请数」。",
                        "sql": (
                            "select r.agency, r.year, r.template, c.value as applications_received "
                            "from cells c join reports r on r.id = c.report_id "
                            "where (c.table_key = 'applications' and c.row_key = 'new_received' "
                            "and c.column_key = 'total') or (c.table_key = 'statistics' "
                            "and c.row_key = 'applications_received' and c.column_key = 'value') "
                            "order by r.agency, r.year"
                        ),
                    },
                    "broken_identities": {
                        "title": "勾稽关系不成立的报告",
                        "sql": (
                            "select r.agency, r.year, f.check_name, f.location, f.message, r.url "
                            "from findings f join reports r on r.id = f.report_id "
                            "where f.check_name in ('applications.balance', 'applications.handled_sum', "
                            "'applications.row_total', 'applications.other_sum', 'reviews.total') order by r.agency, r.year"
                        ),
                    },
                    "report_table": {
                        "title": "一份报告的统计表",
                        "sql": (
                            "select table_key, row_key, column_key, value, unit from cells "
                            "where report_id = :report_id order by table_key, row_key, column_key"
                        ),
                    },
                },
            }
        },
    }


def write_metadata(db_path: str | Path) -> Path:
    metadata = datasette_metadata(Path(db_path).stem)
    handle, name = tempfile.mkstemp(prefix="govreports-datasette-", suffix=".json")
    with os.fdopen(handle, "w", encoding="utf-8") as out:
        json.dump(metadata, out, ensure_ascii=False, indent=2)
    return Path(name)


def datasette_command(db_path: str | Path, host: str, port: int) -> list[str]:
    return [
        sys.executable,
        "-m",
        "datasette",
        "serve",
        str(db_path),
        "--metadata",
        str(write_metadata(db_path)),
        "--host",
        host,
        "--port",
        str(port),
        "--setting",
        "sql_time_limit_ms",
        "5000",
    ]


def exec_datasette(db_path: str | Path, host: str, port: int) -> None:
    """Replace this process with Datasette, so Ctrl-C and signals reach it directly."""
    command = datasette_command(db_path, host, port)
    os.execv(command[0], command)
