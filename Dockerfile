# GPU image running `ganterp`: one image for the bot, the dispatcher and the render workers (compose.yaml).
# Not built in CI: the development machines have no Docker engine.
# Build: docker build -t ganterp .   Run: docker run --gpus all -v $PWD:/work ganterp render /work/song.mp3 -o /work/song.mp4
# A render worker on any GPU machine: docker run --gpus all ganterp worker --queue redis://host:6379/0
FROM nvidia/cuda:12.4.1-cudnn-runtime-ubuntu22.04

# "video" lets the container use the GPU's encoder (NVENC) where the GPU has one; ganterp checks it works.
ENV DEBIAN_FRONTEND=noninteractive PIP_NO_CACHE_DIR=1 PYTHONUNBUFFERED=1 \
    GANTERP_CACHE_DIR=/cache NVIDIA_DRIVER_CAPABILITIES=compute,utility,video
RUN apt-get update && apt-get install -y --no-install-recommends python3.11 python3.11-venv \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY pyproject.toml README.md ./
COPY pipeline ./pipeline
COPY bot ./bot
COPY storage ./storage
# torch from PyPI on Linux is the CUDA build; ffmpeg comes with imageio-ffmpeg.
RUN python3.11 -m venv /venv && /venv/bin/pip install --upgrade pip && /venv/bin/pip install .

VOLUME /cache
# The engine's dashboard, when GANTERP_DASHBOARD_PORT is set (compose.yaml publishes it on loopback only).
EXPOSE 8790
ENTRYPOINT ["/venv/bin/ganterp"]
CMD ["--help"]
