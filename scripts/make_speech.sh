#!/usr/bin/env bash
# Regenerate the speech WAVs under fixtures/speech/ from text, with espeak-ng and sox
# (Debian: apt-get install espeak-ng sox).
#
# Each file holds two utterances separated by a pause, over a quiet noise floor, so that
# voice-activity detection has two segments whose true boundaries are known. The boundaries
# (after trimming espeak's own leading/trailing silence) are written next to each WAV as
# JSON ("segments": start_ms/end_ms), and the tests check the mock's VAD against them.
set -euo pipefail

out_dir="${1:-$(dirname "$0")/../fixtures/speech}"
mkdir -p "$out_dir"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

lead_ms=600     # silence before the first utterance
gap_ms=1800     # pause between the utterances (longer than every silence_duration_ms default)
tail_ms=1500    # silence after the second utterance
noise_gain=0.0015   # noise floor, about -60 dBFS RMS

# speak VOICE TEXT OUT: synthesize, convert to 16 kHz mono, trim leading and trailing silence.
speak() {
  espeak-ng -v "$1" -s 150 -w "$work/raw.wav" "$2"
  sox "$work/raw.wav" -r 16000 -c 1 -b 16 "$3" \
    silence 1 0.005 0.3% reverse silence 1 0.005 0.3% reverse
}

ms_of() { python3 -c "import sys; print(round(float(sys.argv[1]) * 1000))" "$(soxi -D "$1")"; }

# make NAME LANG VOICE RATE TEXT1 TEXT2
make_one() {
  local name="$1" lang="$2" voice="$3" rate="$4" text1="$5" text2="$6"
  speak "$voice" "$text1" "$work/u1.wav"
  speak "$voice" "$text2" "$work/u2.wav"
  local d1 d2
  d1=$(ms_of "$work/u1.wav")
  d2=$(ms_of "$work/u2.wav")
  sox -n -r 16000 -c 1 -b 16 "$work/lead.wav" trim 0 "$(echo "$lead_ms/1000" | bc -l)"
  sox -n -r 16000 -c 1 -b 16 "$work/gap.wav" trim 0 "$(echo "$gap_ms/1000" | bc -l)"
  sox -n -r 16000 -c 1 -b 16 "$work/tail.wav" trim 0 "$(echo "$tail_ms/1000" | bc -l)"
  sox "$work/lead.wav" "$work/u1.wav" "$work/gap.wav" "$work/u2.wav" "$work/tail.wav" "$work/clean.wav"
  local total
  total=$(soxi -D "$work/clean.wav")
  sox -R -n -r 16000 -c 1 -b 16 "$work/noise.wav" synth "$total" whitenoise vol "$noise_gain"
  sox -R -m "$work/clean.wav" "$work/noise.wav" -r "$rate" -b 16 "$out_dir/$name.wav"
  python3 - "$out_dir/$name.json" "$lang" "$rate" "$lead_ms" "$d1" "$gap_ms" "$d2" "$text1" "$text2" <<'PY'
import json, sys
path, lang, rate, lead, d1, gap, d2, t1, t2 = sys.argv[1:]
lead, d1, gap, d2 = int(lead), int(d1), int(gap), int(d2)
start2 = lead + d1 + gap
doc = {
    "language": lang,
    "sample_rate": int(rate),
    "made_by": "scripts/make_speech.sh (espeak-ng + sox)",
    "segments": [
        {"start_ms": lead, "end_ms": lead + d1, "text": t1},
        {"start_ms": start2, "end_ms": start2 + d2, "text": t2},
    ],
}
with open(path, "w", encoding="utf-8") as f:
    json.dump(doc, f, ensure_ascii=False, indent=2)
    f.write("\n")
PY
  echo "wrote $out_dir/$name.wav"
}

make_one en_two_utterances en en-us 16000 \
  "Artificial intelligence is changing how we work." \
  "Machine learning helps us translate speech in real time."
make_one en_two_utterances_8k en en-us 8000 \
  "Artificial intelligence is changing how we work." \
  "Machine learning helps us translate speech in real time."
make_one zh_two_utterances zh cmn 16000 \
  "今天天气真好，我们一起去公园散步吧。" \
  "人工智能正在改变我们的生活。"
