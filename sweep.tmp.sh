#!/bin/bash
# usage: sweep.tmp.sh name 'sed-expr'
name=$1; expr=$2
rm -rf bench/.work/sw_$name; cp -r dist bench/.work/sw_$name
sed -i "$expr" bench/.work/sw_$name/indexes/classifier/train.js
grep -n "buckets: 1 << 18" -A10 bench/.work/sw_$name/indexes/classifier/train.js | tr '\n' ' ' | cut -c1-250; echo
node bench/.work/sw_$name/cli/main.js train --pack physics-post-1900 --data ../shared/corpora --labels test/data/physics-post-1900.mixed-paragraphs.tsv --labels test/data/physics-post-1900.crowell-losses.tsv --json --quiet > /tmp/sw_$name.json
