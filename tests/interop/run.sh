#!/usr/bin/env bash
# Builds the corpus and the example, then has Python's feedparser read every feed (needs python3-feedparser).
set -euo pipefail
cd "$(dirname "$0")/../.."
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
# The site's own feeds and one partner feed of each profile (tests/interop/partners-site.json).
node bin/syndicate.js build tests/fixtures/corpus examples/articles --out "$out/public" --config tests/interop/partners-site.json >/dev/null 2>&1
count=$(ls tests/fixtures/corpus examples/articles | grep -cE '\.(txt|md|json)$')
/usr/bin/python3 tests/interop/feedparser_check.py "$count" "$out/public/rss.xml" "$out/public/atom.xml" "$out"/public/partners/*/*.xml
# RFC 5005 archive documents (`archives: true`, 5 items a current document): every one read, each with entries.
node bin/syndicate.js build tests/fixtures/corpus examples/articles --out "$out/archived" --config tests/interop/archives-site.json >/dev/null 2>&1
archives=("$out"/archived/archive/*/*.xml)
[ -e "${archives[0]}" ] || { echo "interop: no archive documents were written" >&2; exit 1; }
/usr/bin/python3 tests/interop/feedparser_check.py + "${archives[@]}"
# The same archives kept by the engine (`publish` to a folder, article by article): feedparser reads each,
# and they are the build's, byte for byte.
node bin/syndicate.js publish tests/fixtures/corpus examples/articles --dir "$out/engine" --config tests/interop/archives-site.json >/dev/null 2>&1
engine=("$out"/engine/feeds/archive/*/*.xml)
[ -e "${engine[0]}" ] || { echo "interop: the engine wrote no archive documents" >&2; exit 1; }
/usr/bin/python3 tests/interop/feedparser_check.py + "${engine[@]}"
(cd "$out/archived" && find . -path '*archive/*' -type f | sort) > "$out/built.txt"
(cd "$out/engine/feeds" && find . -path '*archive/*' -type f | sort) > "$out/kept.txt"
diff "$out/built.txt" "$out/kept.txt" || { echo "interop: the engine's archive documents are not the build's" >&2; exit 1; }
while read -r f; do cmp -s "$out/archived/$f" "$out/engine/feeds/$f" || { echo "interop: $f differs between build and publish" >&2; exit 1; }; done < "$out/built.txt"
