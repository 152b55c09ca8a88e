#!/usr/bin/env bash
# Proves the package installs and works as a user gets it: `npm pack`, then the tarball installed with
# --omit=dev into an empty folder, then `npx syndicate` there (--version, build of the bundled example,
# parse). Run by `npm run test:pack` and by CI after `npm test`.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

cd "$root"
# `npm pack` runs `prepare`, which builds dist/ (the validator and the CLI bundle) from the sources.
tarball="$work/$(npm pack --silent --pack-destination "$work" | tail -n 1)"
contents="$(tar -tzf "$tarball")"
echo "packed $(basename "$tarball"): $(wc -l <<<"$contents") files, $(du -k "$tarball" | cut -f1) KB"
# What the package holds: the bin, the bundle, package.json, README; no sources, tests or examples.
grep -qx 'package/dist/cli.js' <<<"$contents" || { echo "test:pack: dist/cli.js is not in the package" >&2; exit 1; }
grep -qx 'package/bin/syndicate.js' <<<"$contents" || { echo "test:pack: bin/syndicate.js is not in the package" >&2; exit 1; }
if grep -E '^package/(src|tests|node_modules)/' <<<"$contents" >/dev/null; then
  echo "test:pack: the package holds sources or tests" >&2
  exit 1
fi

app="$work/app"
mkdir "$app"
cd "$app"
printf '{ "name": "pack-check", "version": "1.0.0", "private": true }\n' >package.json
npm install --omit=dev --no-audit --no-fund --prefer-offline --loglevel=error "$tarball" >/dev/null
# No devDependency came along (they would hide a missing runtime dependency).
for dev in s3rver vitest esbuild fast-xml-parser ajv-cli; do
  if [ -d "node_modules/$dev" ] && ! node -e "process.exit(require('$root/package.json').dependencies['$dev'] ? 0 : 1)"; then
    echo "test:pack: devDependency $dev was installed" >&2
    exit 1
  fi
done

expected="$(node -p "require('$root/package.json').version")"
version="$(npx --no-install syndicate --version)"
[ "$version" = "$expected" ] || { echo "test:pack: syndicate --version printed '$version', expected '$expected'" >&2; exit 1; }

npx --no-install syndicate build "$root/examples/articles" --out public --config "$root/examples/site.json" >build.out 2>build.err
for file in rss.xml atom.xml feed.json index.html sections/world/rss.xml sections/world/atom.xml sections/world/feed.json; do
  [ -s "public/$file" ] || { echo "test:pack: build did not write public/$file" >&2; cat build.err >&2; exit 1; }
done
# The bundled example is clean: not one warning.
if grep -i 'warning' build.err >/dev/null; then
  echo "test:pack: the example built with warnings:" >&2
  cat build.err >&2
  exit 1
fi
npx --no-install syndicate parse "$root/examples/articles/"* >parse.out 2>/dev/null
node -e "const a = JSON.parse(require('fs').readFileSync('parse.out', 'utf8')); if (!a.title || !a.url || !a.published || !a.authors.length) process.exit(1)" ||
  { echo "test:pack: parse did not print the example article" >&2; exit 1; }
# The dev loop needs the local S3, a devDependency: without it, one line saying how to install it.
if npx --no-install syndicate dev articles --port 0 >dev.out 2>dev.err; then
  echo "test:pack: syndicate dev ran without s3rver" >&2
  exit 1
fi
grep -q 'npm install --save-dev s3rver' dev.err || { echo "test:pack: syndicate dev without s3rver said:" >&2; cat dev.err >&2; exit 1; }
echo "test:pack: syndicate $version installed from the tarball without devDependencies: build and parse work"
