"""Media in and out through ffmpeg: decoding sound and picture, the layout, encoding and reading the output back."""
