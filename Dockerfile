# RefProgram production image: gunicorn serves the app, whitenoise the static files.
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
COPY pyproject.toml README.md ./
COPY refprogram ./refprogram
COPY accounts ./accounts
COPY references ./references
COPY requests_app ./requests_app
COPY reporting ./reporting
RUN pip install --no-cache-dir .
COPY . .
RUN SECRET_KEY=build-only python manage.py collectstatic --noinput -v0
RUN SECRET_KEY=build-only python manage.py compile_translations
RUN useradd --system --home /app refprogram && mkdir -p /app/private_media && chown refprogram /app/private_media
USER refprogram
EXPOSE 8000
CMD ["gunicorn", "refprogram.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-", "--logger-class", "refprogram.gunicorn_logging.AccessLogger"]
