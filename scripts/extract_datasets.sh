#!/usr/bin/env bash
# Regenerates data/lending_club.csv and data/chicago.csv from Debian's r-cran-modeldata package
# (see data/PROVENANCE.md) and checks that they are byte-for-byte the committed extracts.
#   bash scripts/extract_datasets.sh [OUT_DIR]     (default: data/)
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(realpath -m "${1:-data}")
mkdir -p "$out"
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
command -v Rscript >/dev/null || $sudo apt-get -o DPkg::Lock::Timeout=600 install -y -qq r-base-core

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && apt-get download r-cran-modeldata 2>/dev/null && dpkg-deb -x r-cran-modeldata_*.deb pkg)
Rscript -e "e <- new.env(); lazyLoad('$work/pkg/usr/lib/R/site-library/modeldata/data/Rdata', envir = e);
            write.csv(e\$lending_club, '$out/lending_club.csv', row.names = FALSE);
            write.csv(e\$Chicago, '$out/chicago.csv', row.names = FALSE)" > /dev/null
(cd "$out" && sha256sum -c "$OLDPWD/data/SHA256SUMS")
