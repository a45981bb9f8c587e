"""The database's own refusal to change or delete an audit event: triggers on audit_events.

Put in place by the migration that introduced them and again by every schema upgrade (`duban init`,
`duban restore`): a database restored from a copy made without them, or whose triggers were dropped,
gets them back. The hash chain still catches changes made while they were gone.
"""
from __future__ import annotations

from sqlalchemy import Connection

SQLITE_TRIGGERS = {
    "audit_events_no_update": "UPDATE",
    "audit_events_no_delete": "DELETE",
}
POSTGRES_FUNCTION = """
CREATE OR REPLACE FUNCTION duban_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_events is append-only';
END
$$
"""
POSTGRES_TRIGGERS = {
    "audit_events_append_only": "BEFORE UPDATE OR DELETE ON audit_events FOR EACH ROW",
    "audit_events_no_truncate": "BEFORE TRUNCATE ON audit_events FOR EACH STATEMENT",
}


def install(connection: Connection) -> None:
    """Create the triggers that are missing (those present are left as they are, without a statement that needs
    the right to create)."""
    if connection.dialect.name == "sqlite":
        for name, operation in SQLITE_TRIGGERS.items():
            connection.exec_driver_sql(f"CREATE TRIGGER IF NOT EXISTS {name} BEFORE {operation} ON audit_events "
                                       "BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END")
        return
    present = set(connection.exec_driver_sql(
        "SELECT tgname FROM pg_trigger WHERE tgrelid = 'audit_events'::regclass AND NOT tgisinternal").scalars())
    missing = [name for name in POSTGRES_TRIGGERS if name not in present]
    if not missing:
        return  # nothing to do, and nothing asked of a role that may not create (the web app's)
    connection.exec_driver_sql(POSTGRES_FUNCTION)
    for name in missing:
        connection.exec_driver_sql(f"CREATE TRIGGER {name} {POSTGRES_TRIGGERS[name]} "
                                   "EXECUTE FUNCTION duban_audit_append_only()")


def remove(connection: Connection) -> None:
    if connection.dialect.name == "sqlite":
        for name in SQLITE_TRIGGERS:
            connection.exec_driver_sql(f"DROP TRIGGER IF EXISTS {name}")
        return
    for name in POSTGRES_TRIGGERS:
        connection.exec_driver_sql(f"DROP TRIGGER IF EXISTS {name} ON audit_events")
    connection.exec_driver_sql("DROP FUNCTION IF EXISTS duban_audit_append_only()")
