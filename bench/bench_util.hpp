// What every benchmark program shares: a free loopback endpoint, a child process that reports one
// number back, and command-line flags.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <vector>

namespace bench {

/// "tcp://127.0.0.1:PORT" with a port that was free a moment ago.
std::string free_endpoint();

/// Runs `child` in a forked process while `parent` runs here; returns what `child` returned (NaN
/// or a negative value if it failed). `cpu_seconds` (may be null) receives the CPU time, user and
/// system, both processes and all their threads spent meanwhile: a steadier figure than the rate
/// on a small shared machine, where scheduling moves the rate by a third from run to run.
double fork_and_measure(const std::function<double()>& child, const std::function<void()>& parent,
                        double* cpu_seconds = nullptr);

/// The best of runs' figures, the lowest if `lower_is_better`, else the highest; 0 if there are
/// none or a run failed (a figure of 0 or less).
double best_run(const std::vector<double>& runs, bool lower_is_better);

/// The numeric value after `flag`, or `fallback`.
size_t size_arg(int argc, char** argv, const char* flag, size_t fallback);
/// The comma-separated numbers after `flag` ("16,1K,64K"; K means 1024), or `fallback` if the
/// flag is absent. Throws std::invalid_argument naming the flag and the item if an item is not a
/// positive whole number.
std::vector<size_t> size_list_arg(int argc, char** argv, const char* flag,
                                  const std::vector<size_t>& fallback);
/// The text after `flag`, or `fallback`.
const char* text_arg(int argc, char** argv, const char* flag, const char* fallback);
/// True if `flag` is among the arguments.
bool has_flag(int argc, char** argv, const char* flag);
/// True if --help or -h is among the arguments.
bool wants_help(int argc, char** argv);

} // namespace bench
