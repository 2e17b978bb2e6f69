# The web image: the Django app under gunicorn. The Celery worker and beat run from the same image.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_VAR_DIR=/var/lib/plan65 \
    DJANGO_STATIC_ROOT=/app/staticfiles

# LibreOffice renders the periodic reports to PDF; Liberation Serif is metric-compatible with Times New Roman.
RUN apt-get update \
    && apt-get install -y --no-install-recommends libreoffice-writer-nogui fonts-liberation \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt

COPY . .
# Collect static files at build time, with a throwaway key: the real one only ever comes from the environment.
RUN DJANGO_SECRET_KEY=build-only python manage.py collectstatic --no-input -v 0 \
    && useradd --system --home /app --uid 1000 plan65 \
    && mkdir -p /var/lib/plan65 && chown plan65 /var/lib/plan65

USER plan65
EXPOSE 8000
CMD ["scripts/serve"]
