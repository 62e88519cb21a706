# One image for the bot, the dispatcher and the render workers (compose.yaml), and for one-shot renders:
#   docker build -t ganterp .
#   docker run --rm --gpus all --user "$(id -u):$(id -g)" -v "$PWD:/work" -v ganterp-weights:/cache \
#     ganterp render /work/song.mp3 -o /work/song.mp4
# Base: Debian's slim Python, no CUDA base: torch from PyPI brings its own CUDA libraries as pip packages
# (nvidia-*, CUDA 13 for torch 2.13), so the host needs only an NVIDIA driver new enough for them
# (580 or later) and the NVIDIA Container Toolkit; without a GPU the same image renders on the CPU.
FROM python:3.11-slim-bookworm

# "video" lets the container use the GPU's encoder (NVENC) where the GPU has one; ganterp checks it works.
ENV PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PATH=/venv/bin:$PATH \
    GANTERP_CACHE_DIR=/cache \
    GANTERP_DATA_DIR=/data \
    GANTERP_HEARTBEAT_FILE=/tmp/ganterp/heartbeat \
    NVIDIA_VISIBLE_DEVICES=all \
    NVIDIA_DRIVER_CAPABILITIES=compute,utility,video

# A user of its own: files written into a bind-mounted folder are not root's (run with --user to match yours).
# /cache and /data belong to it, so named volumes mounted there start out writable by it.
RUN useradd --create-home --uid 10001 --user-group ganterp \
    && mkdir -p /venv /cache /data /app \
    && chown ganterp:ganterp /venv /cache /data /app
USER 10001:10001
WORKDIR /app

# Dependencies first, exactly as locked (with hashes): a change to the source does not reinstall torch.
COPY --chown=ganterp:ganterp docker/requirements.lock /tmp/requirements.lock
RUN python -m venv /venv \
    && pip install --no-deps --require-hashes -r /tmp/requirements.lock

COPY --chown=ganterp:ganterp pyproject.toml README.md ./
COPY --chown=ganterp:ganterp pipeline ./pipeline
COPY --chown=ganterp:ganterp bot ./bot
COPY --chown=ganterp:ganterp storage ./storage
# The project alone, with the locked setuptools: nothing unpinned enters here.
RUN pip install --no-deps --no-build-isolation .

# The bot, the dispatcher and workers touch the heartbeat file every 15 s; a one-shot render has none.
HEALTHCHECK --interval=30s --timeout=10s --start-period=120s --retries=3 CMD ["ganterp", "health"]
ENTRYPOINT ["/venv/bin/ganterp"]
CMD ["--help"]
