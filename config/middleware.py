from django.conf import settings
from django.utils import translation


class ChosenLanguageMiddleware:
    """Vietnamese unless the user picked another language with the switcher (the language cookie).

    Django's LocaleMiddleware would also follow the browser's Accept-Language; many office computers here
    run English browsers, and their users expect the Vietnamese interface.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
        try:
            response = self.get_response(request)
        finally:
            translation.deactivate()  # nothing after the request (tests, jobs in-process) inherits its language
        response.headers.setdefault("Content-Language", request.LANGUAGE_CODE)
        return response
