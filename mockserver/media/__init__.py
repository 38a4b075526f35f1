"""Signal code: PCM and Opus decoding, resampling, VAD, JPEG headers, synthesized speech."""
