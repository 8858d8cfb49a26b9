#!/usr/bin/env bash
# How long a pipeline source file takes to compile (the edit -> compile -> rerun loop of
# DESIGN.md §11): the public header alone, files with 1 and 4 assets, the README example and the
# hello example, each without and with the precompiled cairn/cairn.hpp that cairn_add_pipeline
# sets up. g++ -O0 (a development build), median of 3.
#   bash bench/compile_time.sh
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cxx=(g++ -std=c++20 -O0 -Iinclude)

printf '#include <cairn/cairn.hpp>\n' > "$work/header_only.cpp"
{
  printf '#include <cairn/cairn.hpp>\n'
  printf 'auto a = cairn::asset<int>("a").compute([](cairn::Context&) { return 1; });\n'
  printf 'int main(int argc, char** argv) { return cairn::run_cli({.assets = {a}}, argc, argv); }\n'
} > "$work/one_asset.cpp"
{
  printf '#include <cairn/cairn.hpp>\n'
  printf 'auto a = cairn::asset<int>("a").compute([](cairn::Context&) { return 1; });\n'
  for x in b c d; do
    printf 'auto %s = cairn::asset<int>("%s").compute([](cairn::Context&, const int& x) { return x; }, a);\n' "$x" "$x"
  done
  printf 'int main(int argc, char** argv) { return cairn::run_cli({.assets = {a, b, c, d}}, argc, argv); }\n'
} > "$work/four_assets.cpp"

printf '#include <cairn/cairn.hpp>\n' > "$work/pch.hpp"
"${cxx[@]}" -x c++-header "$work/pch.hpp" -o "$work/pch.hpp.gch"

median_seconds() {  # median wall time of 3 compilations of "$@"
  for _ in 1 2 3; do
    /usr/bin/time -f '%e' "$@" -c -o "$work/out.o" 2>&1 >/dev/null | tail -1
  done | sort -n | sed -n 2p
}

printf '%-28s %12s %12s\n' "file" "plain (s)" "with PCH (s)"
for f in "$work/header_only.cpp" "$work/one_asset.cpp" "$work/four_assets.cpp" \
         examples/readme/readme.cpp examples/hello/hello.cpp; do
  plain=$(median_seconds "${cxx[@]}" "$f")
  pch=$(median_seconds "${cxx[@]}" -include "$work/pch.hpp" "$f")
  printf '%-28s %12s %12s\n' "$(basename "$f")" "$plain" "$pch"
done
