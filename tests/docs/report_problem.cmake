# A docs test that fails with the problem the extractor found in a block (cmake -DPROBLEM=... -P).
message(FATAL_ERROR "${PROBLEM}")
