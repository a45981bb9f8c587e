"""Authorization, proven: every route × every role (× own unit / other unit) with the expected answer.

The matrix is the specification. A route that exists but is missing here fails the test, so a
new route cannot ship without someone deciding who may use it.

Columns: anonymous, then the people of tests/factories.py. `staff`/`head` are of 江阳区 (the
task's lead unit), `other_staff`/`other_head` of 纳溪区; `leader` leads the task, `leader2` does not.
POSTs carry a valid CSRF token and empty or harmless data: "200" for a form means it was
accepted for validation and shown again with its errors, not that anything changed.
"""
from __future__ import annotations

from dataclasses import dataclass

from flask import Flask

from engine.app import Duban
from engine.core.clock import OffsetClock
from engine.demo.clock import TimeMachine
from tests.cases import ROWS, case_named, import_batch
from tests.escalations import register_clue
from tests.factories import (
    PASSWORD,
    World,
    apply_for_signoff,
    assignment,
    checklist,
    through_notice,
    walk_to_reporting,
)
from tests.measures import register_measure
from tests.webui.conftest import CSRF_FIELD, Browser
from webui import create_app

#: the hash of an uploaded ledger that was never kept
UNKEPT = "0" * 64
WHO = ("anon", "leader", "leader2", "coordinator", "supervisor", "publicity", "discipline",
       "staff", "head", "other_staff", "other_head", "admin")


@dataclass(frozen=True)
class Case:
    method: str
    rule: str
    url: str  # formatted with the staged ids
    expect: tuple[int, ...]
    data: tuple[tuple[str, str], ...] = ()


#                                                         anon  ldr ldr2 coord supv publ disc staff head ostf ohd adm
MATRIX: tuple[Case, ...] = (
    Case("GET", "/login", "/login",                       (200, 302, 302, 302, 302, 302, 302, 302, 302, 302, 302, 302)),
    Case("POST", "/login", "/login",                      (200, 302, 302, 302, 302, 302, 302, 302, 302, 302, 302, 302),
         (("username", "nobody"), ("password", "wrong-password-1"))),
    Case("GET", "/", "/",                                 (302, 302, 302, 302, 302, 302, 302, 302, 302, 302, 302, 302)),
    Case("GET", "/inbox", "/inbox",                       (302, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200)),
    Case("GET", "/ledger", "/ledger",                     (302, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 403)),
    Case("GET", "/tasks/<int:task_id>", "/tasks/{task}",  (302, 200, 200, 200, 200, 200, 200, 200, 200, 404, 404, 403)),
    Case("GET", "/tasks/<int:task_id>", "/tasks/{missing}", (302, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404,
                                                             403)),
    Case("GET", "/tasks/new", "/tasks/new",               (302, 403, 403, 200, 403, 403, 403, 403, 403, 403, 403, 403)),
    Case("POST", "/tasks/new", "/tasks/new",              (302, 403, 403, 200, 403, 403, 403, 403, 403, 403, 403, 403)),
    Case("POST", "/tasks/<int:task_id>/extension", "/tasks/{task}/extension",  # the lead unit's officer only
         (302, 403, 403, 403, 403, 403, 403, 302, 403, 404, 404, 403)),
    # the unit staff's plan on their own unit's task: only they may open it; the other unit does not see it
    Case("GET", "/work/<int:work_id>", "/work/{plan_draft}", (302, 403, 403, 403, 403, 403, 403, 200, 403, 404, 404,
                                                              404)),
    Case("POST", "/work/<int:work_id>", "/work/{plan_draft}", (302, 403, 403, 403, 403, 403, 403, 200, 403, 404, 404,
                                                               404)),
    # the coordinator's 交办 of another task
    Case("GET", "/work/<int:work_id>", "/work/{assign}",  (302, 403, 403, 200, 403, 403, 403, 403, 403, 404, 404, 404)),
    # the lead leader's approval: only the leader who leads the task
    Case("GET", "/work/<int:work_id>", "/work/{approve}", (302, 200, 403, 403, 403, 403, 403, 403, 403, 404, 404, 404)),
    Case("GET", "/work/<int:work_id>", "/work/{missing}", (302, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404)),
    # one decision for many items: each item is checked as its own form is (test_between_roles_web)
    Case("POST", "/work/batch", "/work/batch",           (302, 302, 302, 302, 302, 302, 302, 302, 302, 302, 302, 302),
         (("kind", "report_chase"), ("method", "phone"), ("note", "已催报"))),
    Case("GET", "/account/password", "/account/password", (302, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200)),
    Case("POST", "/account/password", "/account/password", (302, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200,
                                                            200)),
    Case("POST", "/locale/<code>", "/locale/zh_Hans_CN",  (302, 302, 302, 302, 302, 302, 302, 302, 302, 302, 302, 302)),
    Case("GET", "/admin/users", "/admin/users",           (302, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 200)),
    Case("GET", "/admin/users/new", "/admin/users/new",   (302, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 200)),
    Case("POST", "/admin/users/new", "/admin/users/new",  (302, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 200)),
    Case("GET", "/admin/users/<int:user_id>/edit", "/admin/users/{victim}/edit",
         (302, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 200)),
    Case("POST", "/admin/users/<int:user_id>/edit", "/admin/users/{victim}/edit",  # fields left out keep their value
         (302, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 302)),
    Case("GET", "/admin/users/<int:user_id>/edit", "/admin/users/{missing}/edit",
         (302, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 404)),
    Case("POST", "/admin/users/<int:user_id>/unlock", "/admin/users/{victim}/unlock",
         (302, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 302)),
    Case("POST", "/admin/users/<int:user_id>/deactivate", "/admin/users/{victim}/deactivate",
         (302, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 302)),
    Case("POST", "/admin/users/<int:user_id>/activate", "/admin/users/{victim}/activate",
         (302, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 302)),
    Case("POST", "/admin/users/<int:user_id>/password", "/admin/users/{victim}/password",
         (302, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 200)),
    Case("POST", "/admin/users/<int:user_id>/deactivate", "/admin/users/{own}/deactivate",
         (302, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403)),
    Case("GET", "/admin/holidays/", "/admin/holidays/",   (302, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 200)),
    Case("POST", "/admin/holidays/", "/admin/holidays/",  # empty: shown again with errors
         (302, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 200)),
    Case("POST", "/admin/holidays/import", "/admin/holidays/import",
         (302, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 200)),
    Case("POST", "/admin/holidays/<int:day_id>/delete", "/admin/holidays/{missing}/delete",
         (302, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 404)),
    Case("GET", "/admin/audit", "/admin/audit",           (302, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 200)),
    Case("GET", "/admin/audit", "/admin/audit?verify=1",  (302, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 200)),
    Case("GET", "/admin/audit.csv", "/admin/audit.csv",   (302, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 200)),
    # attachments and their previews: whoever may see the task; the other unit and the administrator may not
    Case("GET", "/attachments/<int:attachment_id>", "/attachments/{evidence}",
         (302, 200, 200, 200, 200, 200, 200, 200, 200, 404, 404, 403)),
    Case("GET", "/attachments/<int:attachment_id>", "/attachments/{missing}",
         (302, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 403)),
    Case("GET", "/attachments/<int:attachment_id>/preview", "/attachments/{evidence}/preview",
         (302, 200, 200, 200, 200, 200, 200, 200, 200, 404, 404, 403)),
    # official documents: the office issues them; whoever may see the task reads and downloads them
    Case("POST", "/tasks/<int:task_id>/documents/<kind>", "/tasks/{closing}/documents/supervision",
         (302, 403, 403, 302, 302, 302, 403, 403, 403, 403, 403, 403)),
    Case("GET", "/documents/<int:document_id>", "/documents/{document}",
         (302, 200, 200, 200, 200, 200, 200, 200, 200, 404, 404, 403)),
    Case("GET", "/documents/<int:document_id>.docx", "/documents/{document}.docx",
         (302, 200, 200, 200, 200, 200, 200, 200, 200, 404, 404, 403)),
    Case("GET", "/documents/<int:document_id>", "/documents/{missing}",
         (302, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 403)),
    Case("GET", "/publicity/progress", "/publicity/progress", (302, 403, 403, 403, 403, 200, 403, 403, 403, 403, 403,
                                                               403)),
    Case("POST", "/publicity/progress", "/publicity/progress",  # no such report
         (302, 403, 403, 403, 403, 404, 403, 403, 403, 403, 403, 403)),
    Case("GET", "/admin/incidents/", "/admin/incidents/", (302, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 200)),
    Case("POST", "/admin/incidents/<int:incident_id>/retry", "/admin/incidents/{missing}/retry",
         (302, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 404)),
    # 流程版本 and the instance console: the administrator's alone
    Case("GET", "/admin/processes/", "/admin/processes/", (302, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 200)),
    Case("POST", "/admin/processes/preview", "/admin/processes/preview",  # no file: the form again
         (302, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 200)),
    Case("POST", "/admin/processes/deploy", "/admin/processes/deploy",  # nothing to deploy: back to the list
         (302, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 302)),
    Case("GET", "/admin/processes/<process_id>/versions/<int:number>/migration",
         "/admin/processes/rectification/versions/{missing}/migration",
         (302, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 404)),
    Case("POST", "/admin/processes/<process_id>/versions/<int:number>/migration",
         "/admin/processes/rectification/versions/{missing}/migration",
         (302, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 404)),
    Case("GET", "/admin/instances/<int:instance_id>", "/admin/instances/{missing}",
         (302, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 404)),
    Case("POST", "/admin/instances/<int:instance_id>/suspend", "/admin/instances/{missing}/suspend",
         (302, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 404)),
    Case("POST", "/admin/instances/<int:instance_id>/resume", "/admin/instances/{missing}/resume",
         (302, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 404)),
    Case("POST", "/admin/instances/<int:instance_id>/move-back", "/admin/instances/{missing}/move-back",
         (302, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 404)),
    # 通知: everyone their own notices and choices; a notice to the officers of 江阳区 is theirs alone
    Case("GET", "/notifications", "/notifications",       (302, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200)),
    Case("POST", "/notifications/<int:notice_id>/open", "/notifications/{staff_notice}/open",
         (302, 404, 404, 404, 404, 404, 404, 302, 404, 404, 404, 404)),
    Case("POST", "/notifications/<int:notice_id>/read", "/notifications/{staff_notice}/read",
         (302, 404, 404, 404, 404, 404, 404, 302, 404, 404, 404, 404)),
    Case("POST", "/notifications/read-all", "/notifications/read-all",
         (302, 302, 302, 302, 302, 302, 302, 302, 302, 302, 302, 302)),
    Case("GET", "/notifications/settings", "/notifications/settings",
         (302, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200)),
    Case("POST", "/notifications/settings", "/notifications/settings",  # empty: shown again with errors
         (302, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200)),
    Case("GET", "/admin/notifications", "/admin/notifications",
         (302, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 200)),
    Case("POST", "/admin/notifications/<int:message_id>/retry", "/admin/notifications/{missing}/retry",
         (302, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 404)),
    # the demo's time machine exists only in demo mode (DUBAN_DEMO_CLOCK=1)
    Case("GET", "/admin/clock/", "/admin/clock/",         (404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404)),
    Case("POST", "/admin/clock/", "/admin/clock/",        (404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404)),
    # 公开: anyone, logged in or not
    Case("GET", "/public/", "/public/",                   (200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200)),
    Case("GET", "/public/tasks/<int:task_id>", "/public/tasks/{task}",
         (200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200)),
    Case("GET", "/public/tasks/<int:task_id>", "/public/tasks/{missing}",
         (404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404)),
    Case("GET", "/public/notices", "/public/notices",     (200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200)),
    Case("GET", "/public/audit-head", "/public/audit-head",
         (200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200)),
    Case("GET", "/public/notices/<int:notice_id>", "/public/notices/{notice}",
         (200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200)),
    Case("POST", "/public/notices/<int:notice_id>", "/public/notices/{notice}",  # empty: shown again with errors
         (200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200)),
    Case("GET", "/public/notices/<int:notice_id>", "/public/notices/{missing}",
         (404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404)),
    Case("GET", "/public/objections", "/public/objections?code=NOPE",
         (200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200)),
    Case("GET", "/public/objections/<code>", "/public/objections/NOPE-NOPE-NO",
         (404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404)),
    # reporting: the dashboard for leaders, the office and supervisors; Excel and the bulletin for the office
    Case("GET", "/dashboard", "/dashboard",               (302, 200, 200, 200, 200, 403, 403, 403, 403, 403, 403, 403)),
    Case("GET", "/ledger/export.xlsx", "/ledger/export.xlsx",
         (302, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 403)),
    Case("GET", "/ledger/import", "/ledger/import",       (302, 403, 403, 200, 403, 403, 403, 403, 403, 403, 403, 403)),
    Case("POST", "/ledger/import", "/ledger/import",      (302, 403, 403, 200, 403, 403, 403, 403, 403, 403, 403, 403)),
    Case("GET", "/ledger/import/template.xlsx", "/ledger/import/template.xlsx",
         (302, 403, 403, 200, 403, 403, 403, 403, 403, 403, 403, 403)),
    # the steps of an import on a kept file; a file not (or no longer) kept sends the coordinator back to the upload
    Case("GET", "/ledger/import/<sha256>", f"/ledger/import/{UNKEPT}",
         (302, 403, 403, 302, 403, 403, 403, 403, 403, 403, 403, 403)),
    Case("GET", "/ledger/import/<sha256>/columns", f"/ledger/import/{UNKEPT}/columns",
         (302, 403, 403, 302, 403, 403, 403, 403, 403, 403, 403, 403)),
    Case("POST", "/ledger/import/<sha256>/columns", f"/ledger/import/{UNKEPT}/columns",
         (302, 403, 403, 302, 403, 403, 403, 403, 403, 403, 403, 403)),
    Case("POST", "/ledger/import/<sha256>/confirm", f"/ledger/import/{UNKEPT}/confirm",
         (302, 403, 403, 302, 403, 403, 403, 403, 403, 403, 403, 403)),
    Case("GET", "/bulletin", "/bulletin",                 (302, 403, 403, 200, 403, 403, 403, 403, 403, 403, 403, 403)),
    Case("POST", "/bulletin", "/bulletin",                (302, 403, 403, 200, 403, 403, 403, 403, 403, 403, 403, 403)),
    Case("GET", "/targets", "/targets",                   (302, 200, 200, 200, 200, 200, 200, 403, 403, 403, 403, 403)),
    Case("GET", "/targets/values", "/targets/values",     (302, 403, 403, 200, 403, 403, 403, 403, 403, 403, 403, 403)),
    Case("POST", "/targets/values", "/targets/values",    (302, 403, 403, 302, 403, 403, 403, 403, 403, 403, 403, 403)),
    Case("GET", "/targets/import", "/targets/import",     (302, 403, 403, 200, 403, 403, 403, 403, 403, 403, 403, 403)),
    Case("POST", "/targets/import", "/targets/import",    (302, 403, 403, 200, 403, 403, 403, 403, 403, 403, 403, 403)),
    Case("GET", "/targets/new", "/targets/new",           (302, 403, 403, 200, 403, 403, 403, 403, 403, 403, 403, 403)),
    Case("POST", "/targets/new", "/targets/new",          (302, 403, 403, 200, 403, 403, 403, 403, 403, 403, 403, 403)),
    Case("GET", "/targets/<int:indicator_id>/edit", "/targets/{missing}/edit",
         (302, 403, 403, 404, 403, 403, 403, 403, 403, 403, 403, 403)),
    Case("POST", "/targets/<int:indicator_id>/edit", "/targets/{missing}/edit",
         (302, 403, 403, 404, 403, 403, 403, 403, 403, 403, 403, 403)),
    # 督察批次: the coordination office and the administrator enter and edit the rounds
    Case("GET", "/rounds", "/rounds",                     (302, 403, 403, 200, 403, 403, 403, 403, 403, 403, 403, 200)),
    Case("GET", "/rounds/new", "/rounds/new",             (302, 403, 403, 200, 403, 403, 403, 403, 403, 403, 403, 200)),
    Case("POST", "/rounds/new", "/rounds/new",            (302, 403, 403, 200, 403, 403, 403, 403, 403, 403, 403, 200)),
    Case("GET", "/rounds/<int:round_id>/edit", "/rounds/{round}/edit",
         (302, 403, 403, 200, 403, 403, 403, 403, 403, 403, 403, 200)),
    Case("POST", "/rounds/<int:round_id>/edit", "/rounds/{round}/edit",  # fields not sent keep their values
         (302, 403, 403, 302, 403, 403, 403, 403, 403, 403, 403, 302)),
    Case("GET", "/rounds/<int:round_id>/edit", "/rounds/{missing}/edit",
         (302, 403, 403, 404, 403, 403, 403, 403, 403, 403, 403, 404)),
    # 督办问责: the register for every role but the administrator; a unit sees only its own unit's escalations
    Case("GET", "/escalations", "/escalations",           (302, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 403)),
    Case("GET", "/escalations/<int:escalation_id>", "/escalations/{escalation}",
         (302, 200, 200, 200, 200, 200, 200, 200, 200, 404, 404, 403)),
    Case("GET", "/escalations/<int:escalation_id>", "/escalations/{missing}",
         (302, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 403)),
    # a complaint case's escalation's steps; a task's are done on the task's work page (not found here)
    Case("GET", "/escalations/work/<int:work_id>", "/escalations/work/{escalation_propose}",
         (302, 403, 403, 403, 404, 403, 403, 403, 403, 404, 404, 403)),
    Case("POST", "/escalations/work/<int:work_id>", "/escalations/work/{escalation_propose}",
         (302, 403, 403, 403, 404, 403, 403, 403, 403, 404, 404, 403)),
    Case("GET", "/tasks/<int:task_id>/escalate", "/tasks/{task}/escalate",
         (302, 403, 403, 403, 200, 403, 403, 403, 403, 403, 403, 403)),
    Case("POST", "/tasks/<int:task_id>/escalate", "/tasks/{task}/escalate",  # no reason: shown again
         (302, 403, 403, 403, 200, 403, 403, 403, 403, 403, 403, 403)),
    # 问题线索: the leaders, the office and the discipline commission only
    Case("GET", "/clues", "/clues",                       (302, 200, 200, 200, 403, 403, 200, 403, 403, 403, 403, 403)),
    Case("GET", "/clues/<int:clue_id>", "/clues/{clue}",  (302, 200, 200, 200, 403, 403, 200, 403, 403, 403, 403, 403)),
    Case("GET", "/clues/<int:clue_id>", "/clues/{missing}", (302, 404, 404, 404, 403, 403, 404, 403, 403, 403, 403,
                                                             403)),
    Case("GET", "/instructions/new", "/instructions/new", (302, 200, 200, 403, 403, 403, 403, 403, 403, 403, 403, 403)),
    Case("POST", "/instructions/new", "/instructions/new", (302, 200, 200, 403, 403, 403, 403, 403, 403, 403, 403,
                                                            403)),
    Case("GET", "/chase/<int:work_id>", "/chase/{plan_draft}", (302, 403, 403, 200, 200, 403, 403, 403, 403, 403, 403,
                                                                 403)),
    Case("POST", "/chase/<int:work_id>", "/chase/{plan_draft}", (302, 403, 403, 200, 200, 403, 403, 403, 403, 403, 403,
                                                                  403)),
    Case("GET", "/chase/<int:work_id>", "/chase/{missing}", (302, 403, 403, 404, 404, 403, 403, 403, 403, 403, 403,
                                                              403)),
    Case("GET", "/clues/new", "/clues/new",               (302, 403, 403, 200, 403, 403, 403, 403, 403, 403, 403, 403)),
    Case("POST", "/clues/new", "/clues/new",              (302, 403, 403, 200, 403, 403, 403, 403, 403, 403, 403, 403)),
    Case("GET", "/clues/work/<int:work_id>", "/clues/work/{investigate}",
         (302, 403, 403, 403, 403, 403, 200, 403, 403, 403, 403, 403)),
    Case("POST", "/clues/work/<int:work_id>", "/clues/work/{investigate}",
         (302, 403, 403, 403, 403, 403, 200, 403, 403, 403, 403, 403)),
    # 强化措施: every role but the administrator; a unit sees the measures it leads or cooperates on; the office
    # registers and closes them
    Case("GET", "/measures", "/measures",                 (302, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 403)),
    Case("GET", "/measures/export.xlsx", "/measures/export.xlsx",
         (302, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 403)),
    Case("GET", "/measures/<int:measure_id>", "/measures/{measure}",
         (302, 200, 200, 200, 200, 200, 200, 200, 200, 404, 404, 403)),
    Case("GET", "/measures/<int:measure_id>", "/measures/{missing}",
         (302, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 403)),
    Case("GET", "/measures/new", "/measures/new",         (302, 403, 403, 200, 403, 403, 403, 403, 403, 403, 403, 403)),
    Case("POST", "/measures/new", "/measures/new",        (302, 403, 403, 200, 403, 403, 403, 403, 403, 403, 403, 403)),
    Case("GET", "/measures/close", "/measures/close",     (302, 403, 403, 200, 403, 403, 403, 403, 403, 403, 403, 403)),
    Case("POST", "/measures/close", "/measures/close",    (302, 403, 403, 200, 403, 403, 403, 403, 403, 403, 403, 403)),
    Case("GET", "/measures/work/<int:work_id>", "/measures/work/{missing}",  # real steps: test_measures_web
         (302, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 403)),
    Case("POST", "/measures/work/<int:work_id>", "/measures/work/{missing}",
         (302, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 403)),
    Case("GET", "/public/exposures", "/public/exposures", (200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200)),
    # the JSON API with the browser's session (with tokens: tests/webui/test_api.py): the web's answers; no login, 401
    Case("GET", "/api/v1/openapi.json", "/api/v1/openapi.json", (200,) * 12),
    Case("GET", "/api/v1/docs", "/api/v1/docs",           (200,) * 12),
    Case("GET", "/api/v1/me", "/api/v1/me",               (401,) + (200,) * 11),
    Case("GET", "/api/v1/inbox", "/api/v1/inbox",         (401,) + (200,) * 11),
    Case("GET", "/api/v1/tasks", "/api/v1/tasks",         (401, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 403)),
    Case("GET", "/api/v1/tasks/<int:task_id>", "/api/v1/tasks/{task}",
         (401, 200, 200, 200, 200, 200, 200, 200, 200, 404, 404, 403)),
    Case("GET", "/api/v1/tasks/<int:task_id>/reports", "/api/v1/tasks/{task}/reports",
         (401, 200, 200, 200, 200, 200, 200, 200, 200, 404, 404, 403)),
    Case("GET", "/api/v1/work/<int:work_id>", "/api/v1/work/{plan_draft}",
         (401, 403, 403, 403, 403, 403, 403, 200, 403, 404, 404, 404)),
    Case("POST", "/api/v1/work/<int:work_id>", "/api/v1/work/{plan_draft}",  # empty: refused with what is missing
         (401, 403, 403, 403, 403, 403, 403, 400, 403, 404, 404, 404)),
    # any work through the API, answered as its own page answers: a complaint case's 签收, a clue's investigation
    Case("GET", "/api/v1/work/<int:work_id>", "/api/v1/work/{case_sign}",
         (401, 403, 403, 403, 403, 403, 403, 200, 403, 404, 404, 403)),
    Case("GET", "/api/v1/work/<int:work_id>", "/api/v1/work/{investigate}",
         (401, 403, 403, 403, 403, 403, 200, 403, 403, 403, 403, 403)),
    # 暂存: the person's own draft of work they may do (the form data carries only the CSRF token: an empty draft)
    Case("GET", "/api/v1/work/<int:work_id>/draft", "/api/v1/work/{plan_draft}/draft",
         (401, 403, 403, 403, 403, 403, 403, 200, 403, 404, 404, 404)),
    Case("PUT", "/api/v1/work/<int:work_id>/draft", "/api/v1/work/{plan_draft}/draft",
         (401, 403, 403, 403, 403, 403, 403, 200, 403, 404, 404, 404)),
    Case("DELETE", "/api/v1/work/<int:work_id>/draft", "/api/v1/work/{plan_draft}/draft",
         (401, 403, 403, 403, 403, 403, 403, 200, 403, 404, 404, 404)),
    # a batch is JSON: a form post is refused as such (each item is checked as its own form is: test_api.py)
    Case("POST", "/api/v1/work/batch", "/api/v1/work/batch", (401,) + (400,) * 11),
    Case("GET", "/api/v1/escalations", "/api/v1/escalations",
         (401, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 403)),
    Case("GET", "/api/v1/escalations/<int:escalation_id>", "/api/v1/escalations/{escalation}",
         (401, 200, 200, 200, 200, 200, 200, 200, 200, 404, 404, 403)),
    Case("GET", "/api/v1/cases", "/api/v1/cases",         (401, 200, 200, 200, 200, 200, 403, 200, 200, 200, 200, 403)),
    Case("GET", "/api/v1/cases/<int:case_id>", "/api/v1/cases/{case}",
         (401, 200, 200, 200, 200, 200, 403, 200, 200, 404, 404, 403)),
    Case("GET", "/api/v1/dashboard", "/api/v1/dashboard",
         (401, 200, 200, 200, 200, 403, 403, 403, 403, 403, 403, 403)),
    # 访问令牌: each person's own
    Case("GET", "/account/tokens", "/account/tokens",     (302,) + (200,) * 11),
    Case("POST", "/account/tokens", "/account/tokens",    (302,) + (200,) * 11),
    Case("POST", "/account/tokens/<int:token_id>/revoke", "/account/tokens/{missing}/revoke", (302,) + (404,) * 11),
    # complaint cases: every role that may see cases, a unit only its own; the office imports, manages, publicity
    # publishes (nothing accepted yet: told so and sent back); the case's 签收 is the unit's officer's
    Case("GET", "/cases", "/cases",                       (302, 200, 200, 200, 200, 200, 403, 200, 200, 200, 200, 403)),
    Case("GET", "/cases/batches", "/cases/batches",       (302, 200, 200, 200, 200, 200, 403, 200, 200, 200, 200, 403)),
    Case("POST", "/cases/batches/<int:batch_id>/publish", "/cases/batches/{case_batch}/publish",
         (302, 403, 403, 403, 403, 302, 403, 403, 403, 403, 403, 403)),
    Case("GET", "/cases/<int:case_id>", "/cases/{case}",  (302, 200, 200, 200, 200, 200, 403, 200, 200, 404, 404, 403)),
    Case("POST", "/cases/<int:case_id>/task", "/cases/{case}/task",
         (302, 403, 403, 200, 403, 403, 403, 403, 403, 403, 403, 403)),
    Case("POST", "/cases/<int:case_id>/callback", "/cases/{case}/callback",
         (302, 403, 403, 200, 403, 403, 403, 403, 403, 403, 403, 403)),
    Case("GET", "/cases/work/<int:work_id>", "/cases/work/{case_sign}",
         (302, 403, 403, 403, 403, 403, 403, 200, 403, 404, 404, 403)),
    Case("POST", "/cases/work/<int:work_id>", "/cases/work/{case_sign}",
         (302, 403, 403, 403, 403, 403, 403, 200, 403, 404, 404, 403)),
    Case("GET", "/cases/import", "/cases/import",         (302, 403, 403, 200, 403, 403, 403, 403, 403, 403, 403, 403)),
    Case("POST", "/cases/import", "/cases/import",        (302, 403, 403, 200, 403, 403, 403, 403, 403, 403, 403, 403)),
    Case("GET", "/cases/import/<sha256>", f"/cases/import/{UNKEPT}",
         (302, 403, 403, 302, 403, 403, 403, 403, 403, 403, 403, 403)),
    Case("POST", "/cases/import/<sha256>/confirm", f"/cases/import/{UNKEPT}/confirm",
         (302, 403, 403, 302, 403, 403, 403, 403, 403, 403, 403, 403)),
    Case("GET", "/cases/import/jobs/<int:job_id>", "/cases/import/jobs/{missing}",
         (302, 403, 403, 404, 403, 403, 403, 403, 403, 403, 403, 403)),
    Case("GET", "/cases/import/jobs/<int:job_id>.json", "/cases/import/jobs/{missing}.json",
         (302, 403, 403, 404, 403, 403, 403, 403, 403, 403, 403, 403)),
    Case("GET", "/public/cases/", "/public/cases/",       (200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200)),
    Case("GET", "/public/cases/batches/<int:batch_id>", "/public/cases/batches/{case_batch}",  # not published yet
         (404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404)),
    Case("GET", "/public/cases/lookup", "/public/cases/lookup",
         (200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200)),
    Case("POST", "/public/cases/lookup", "/public/cases/lookup",  # the sum not answered: asked again
         (200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200)),
    # last: it ends the sessions
    Case("POST", "/logout", "/logout",                    (302, 302, 302, 302, 302, 302, 302, 302, 302, 302, 302, 302)),
)
IGNORED_METHODS = {"HEAD", "OPTIONS"}


def stage(world: World) -> dict[str, int]:
    """A 江阳区 task waiting for its plan, one waiting for 交办, one waiting for the lead leader's approval."""
    planning = world.register("1-1")
    world.do("coordinator", planning, "assign", **assignment(world))
    waiting = world.register("1-2")
    closing = world.register("1-3")
    world.do("coordinator", closing, "assign", **assignment(world))
    world.do("staff", closing, "plan_draft", content="方案", milestones="节点", contact="李四")
    world.do("head", closing, "plan_sign", decision="submit", comment="")
    world.do("supervisor", closing, "plan_review", decision="file", comment="")
    apply_for_signoff(world, closing)
    through_notice(world, closing)
    noticed = world.register("1-4")
    walk_to_reporting(world, noticed)
    apply_for_signoff(world, noticed)
    world.do("supervisor", noticed, "signoff_verify", **checklist())
    world.do("publicity", noticed, "signoff_notice", text="拟销号公示")
    victim = world.duban.accounts.create_user(world["admin"], username="victim", password="Target-pass-1",
                                     display_name="被操作者", role="publicity")
    escalation = world.duban.escalation.propose(world["supervisor"], planning, "现场检查发现问题").escalation_id
    clue = register_clue(world)
    measure = register_measure(world)
    case_batch = import_batch(world, ROWS[0])  # one complaint case, handed to 江阳区
    case = case_named(world, ROWS[0].split(",")[0])

    def work(username: str, task_id: int, form: str) -> int:
        return next(w.id for w in world.work_for(username, task_id) if w.form == form)

    return {"task": planning, "missing": 999999, "plan_draft": work("staff", planning, "plan_draft"),
            "assign": work("coordinator", waiting, "assign"), "approve": work("leader", closing, "signoff_approve"),
            "victim": victim, "own": world["admin"].user_id or 0,
            "evidence": world.duban.work.task_page(world["supervisor"], closing).attachments[0].id,
            "notice": world.duban.public.open_notices()[0].id, "escalation": escalation, "clue": clue,
            "escalation_propose": work("supervisor", planning, "escalation_propose"),
            "measure": measure,
            "investigate": next(w.id for w in world.work_for("discipline") if w.task_id is None),
            "closing": closing, "round": world.duban.rounds.current_id() or 0,
            "case_batch": case_batch, "case": case.id,
            "case_sign": next(w.id for w in world.work_for("staff") if w.instance_id == case.instance_id),
            "document": world.duban.documents.issue(world["coordinator"], "supervision", closing).id,
            "staff_notice": next(entry.notice.id for entry in world.duban.notifications.centre(world["staff"]).entries
                                 if entry.notice.work_id == work("staff", planning, "plan_draft"))}


def test_every_route_is_in_the_matrix(duban: Duban, world: World) -> None:
    """Every route of the site in demo mode, which has the demo's time machine page beside the product's."""
    demo = Duban(duban.db, duban.roles, OffsetClock(duban.clock), duban.workflow_files)
    app = create_app({"DUBAN_ENGINE": demo, "DUBAN_TIME_MACHINE": TimeMachine, "SECRET_KEY": "t", "TESTING": True})
    covered = {(case.method, case.rule) for case in MATRIX}
    routes = {(method, rule.rule) for rule in app.url_map.iter_rules() if rule.endpoint != "static"
              for method in (rule.methods or set()) - IGNORED_METHODS}
    assert routes - covered == set(), "routes nobody has decided about: add them to MATRIX"
    assert covered - routes == set(), "MATRIX names routes that no longer exist"


def test_every_role_gets_exactly_the_expected_answer(app: Flask, world: World) -> None:
    ids = stage(world)
    browsers = {who: browser_for(app, who) for who in WHO}
    wrong = []
    for case in MATRIX:
        for who, expected in zip(WHO, case.expect, strict=True):
            status = request(browsers[who], case, ids)
            if status != expected:
                wrong.append(f"{case.method} {case.url.format(**ids)} as {who}: {status}, expected {expected}")
    assert wrong == []


def browser_for(app: Flask, who: str) -> Browser:
    browser = Browser(app.test_client())
    if who != "anon":
        response = browser.submit("/login", {"username": who, "password": PASSWORD}, follow=False)
        assert response.status_code == 302, who
    page = browser.get("/login" if who == "anon" else "/account/password").get_data(as_text=True)
    token = CSRF_FIELD.search(page)
    assert token, who
    browser.token = token.group(1)  # type: ignore[attr-defined]
    return browser


def request(browser: Browser, case: Case, ids: dict[str, int]) -> int:
    url = case.url.format(**ids)
    if case.method == "GET":
        return browser.get(url).status_code
    data = {"csrf_token": browser.token, **dict(case.data)}  # type: ignore[attr-defined]
    return browser.client.open(url, method=case.method, data=data).status_code


