"""The battery tests that declare a need of each capability (by its value), as the battery's
``needs`` marks say: the report's capability legend, without importing pytest or the battery.

Written by ``python -m conformance._needs`` from the marks (``_needs.table_source``); do not
edit it by hand: tests/test_needs_table.py fails when it and the marks differ.
"""

BATTERY_NEEDS: dict[str, tuple[str, ...]] = {
    "reuse-flag": (
        "test_reused_flag.py::test_false_after_a_full_handshake",
        "test_reused_flag.py::test_false_before_any_handshake",
        "test_reused_flag.py::test_false_right_after_a_set",
        "test_reused_flag.py::test_false_when_the_set_session_is_declined",
        "test_reused_flag.py::test_true_after_a_resumed_handshake",
        "test_use.py::test_both_sides_report_reuse",
    ),
    "session-id": (
        "test_get.py::test_reported_session_has_the_set_id",
        "test_ref_dropped_on_miss.py::test_new_session_has_another_id",
        "test_replace.py::test_connection_reports_the_newer_session",
        "test_use.py::test_resumed_connection_holds_the_set_session",
    ),
    "session-identity": ("test_get.py::test_reported_session_is_the_set_object",),
    "session-lifetime": (
        "test_clear_with_null.py::test_cleared_session_is_released",
        "test_one_context.py::test_borrowed_session_outlives_the_other_context",
        "test_ref_dropped_on_miss.py::test_reference_is_dropped_during_the_handshake",
        "test_ref_taken.py::test_reference_is_held_until_the_connection_goes",
        "test_ref_taken.py::test_unused_connection_releases_its_reference",
        "test_replace.py::test_older_session_is_released_at_the_replacing_call",
        "test_replace_after_use.py::test_earlier_session_is_released",
    ),
    "cache-size": (
        "test_bad_if_open.py::test_closed_server_session_is_not_removed",
        "test_bad_if_open.py::test_open_server_session_is_removed_from_the_cache",
    ),
    "cache-events": (
        "test_bad_if_open.py::test_closed_server_session_is_not_removed",
        "test_bad_if_open.py::test_open_server_session_is_removed_from_the_cache",
        "test_one_context.py::test_borrowed_session_outlives_the_other_context",
        "test_one_context.py::test_flushing_and_freeing_both_contexts_is_safe",
    ),
    "sent-shutdown-flag": (
        "test_bad_if_open.py::test_closed_client_session_stays_good[sent-shutdown-flag]",
        "test_bad_if_open.py::test_closed_server_session_stays_cached[sent-shutdown-flag]",
    ),
    "raw-return": (
        "test_return_value.py::test_raw_result_is_success_or_failure_with_a_reason",
        "test_return_value.py::test_success_returns_one_and_leaves_no_error",
    ),
    "empty-session": (
        "test_return_value.py::test_empty_session_is_refused_or_harmless",
        "test_return_value.py::test_raw_result_is_success_or_failure_with_a_reason[an empty session]",
    ),
}
