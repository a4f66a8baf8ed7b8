#!/usr/bin/env python3
"""Checks extract_doc_blocks.py on a page with every kind of marker and every mistake: what it
generates for programs and fragments, and which blocks it reports as problems."""
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))

PAGE = """# A page

<!-- docs-test: program -->
```cpp
int main() {}
```

<!-- docs-test: fragment
#include <string>
std::string name = "x";
-->
```cpp
#include <vector>
std::vector<std::string> v{name};
```

<!-- docs-test: skip pseudo-code -->
```c++
socket.frobnicate();
```

```cpp
int unmarked = 0;
```

<!-- docs-test: skip -->
```cpp
int skipped_without_reason = 0;
```

<!-- docs-test: program -->
```sh
echo not C++
```

````markdown
```cpp
int inside_an_outer_fence = 0;
```
````

<!-- docs-test: exmaple -->
```cpp
int misspelt = 0;
```

<!-- docs-test: fragment -->
```cpp
int no_setup = 0;
```

<!-- docs-test: program c++20 -->
```cpp
int main() {}
```

<!-- docs-test: program c++23 -->
```cpp
int main() {}
```
"""


def main():
    failures = []

    def check(condition, what):
        if not condition:
            failures.append(what)

    with tempfile.TemporaryDirectory() as root:
        with open(os.path.join(root, "page.md"), "w", encoding="utf-8") as f:
            f.write(PAGE)
        out = os.path.join(root, "out")
        subprocess.run([sys.executable, os.path.join(HERE, "extract_doc_blocks.py"), "--root", root,
                        "--out", out, "page.md"], check=True)
        with open(os.path.join(out, "blocks.cmake"), encoding="utf-8") as f:
            calls = f.read()
        program = os.path.join(out, "doc_page_md_L4.cpp")
        fragment = os.path.join(out, "doc_page_md_L12.cpp")
        check(f'cafmq_doc_program(doc_page_md_L4 "page.md:4"' in calls, "the program is listed")
        check(f'cafmq_doc_fragment(doc_page_md_L12 "page.md:12"' in calls, "the fragment is listed")
        with open(program, encoding="utf-8") as f:
            text = f.read()
        check(f'#line 5 "{os.path.join(root, "page.md")}"\nint main() {{}}' in text,
              "a program is the block, behind a #line of the page")
        with open(fragment, encoding="utf-8") as f:
            text = f.read()
        check(text.index("#include <string>") < text.index("docs_fragment()")
              and text.index("#include <vector>") < text.index("docs_fragment()"),
              "a fragment's includes, setup's too, go before its function")
        check(text.index('std::string name = "x";') < text.index("std::vector<std::string> v"),
              "the setup comes before the fragment")
        check(f'#line 9 "{os.path.join(root, "page.md")}"' in text, "setup lines keep their lines")
        problems = [l for l in calls.splitlines() if l.startswith("cafmq_doc_problem")]
        for line, why in [(22, "without a docs-test marker"), (27, "needs a reason"),
                          (32, "not C++"), (43, "unknown docs-test kind 'exmaple'")]:
            check(any(f'"page.md:{line}"' in p and why in p for p in problems),
                  f"line {line} is reported: {why}")
        check('cafmq_doc_program(doc_page_md_L53 "page.md:53"' in calls
              and calls.split('"page.md:53"')[1].split("\n")[0].endswith('.cpp" 20)'),
              "a c++20 program passes its standard")
        check(any('"page.md:58"' in p and "only option is c++20" in p for p in problems),
              "an unknown option is reported")
        check(len(problems) == 5, f"exactly five problems, not {len(problems)}: {problems}")
        check("inside_an_outer_fence" not in calls and not os.path.exists(
              os.path.join(out, "doc_page_md_L38.cpp")), "a fence inside a longer fence is text")
        check("2 program, 2 fragment, 1 skip" in calls, "the summary counts each kind")
        with open(os.path.join(out, "doc_page_md_L48.cpp"), encoding="utf-8") as f:
            text = f.read()
        check("#line 0" not in text and f'#line 49 "{os.path.join(root, "page.md")}"' in text,
              "a fragment without setup has no #line for it (line 0 is out of range)")

        # --unchecked: an unmarked block of such a page is counted, not reported.
        subprocess.run([sys.executable, os.path.join(HERE, "extract_doc_blocks.py"), "--root", root,
                        "--out", out, "--unchecked", "page.md", "page.md"], check=True)
        with open(os.path.join(out, "blocks.cmake"), encoding="utf-8") as f:
            calls = f.read()
        check('"page.md:22"' not in calls and "1 unchecked" in calls,
              "an unchecked page's unmarked block is only counted")
    for f in failures:
        print("FAILED:", f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
