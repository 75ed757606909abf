#!/usr/bin/env bash
# Copies Slack's published specifications from the team's shared folder into
# test/slack-specs/, so the test suite needs nothing outside this repository.
# Run it again when shared/slack-specs changes.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
src=${1:-"$root/../shared/slack-specs"}
dst="$root/test/slack-specs"
rm -rf "$dst"
mkdir -p "$dst/payload-shapes"
cp "$src/SOURCES.json" "$dst/"
cp -r "$src/docs.slack.dev" "$dst/"
cp -r "$src/manifest" "$dst/"
cp -r "$src/payload-shapes/java-slack-sdk" "$dst/payload-shapes/"
echo "copied Slack specs from $src to $dst"
