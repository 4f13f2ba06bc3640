"""Language selection: the user's saved choice, else the language cookie, else Kyrgyz.

API requests may name their language in Accept-Language, which then takes precedence.

Django's LocaleMiddleware would follow the browser's Accept-Language; Kesip instead opens in
Kyrgyz for every visitor until they choose, and remembers the choice for the user.
"""

from django.conf import settings
from django.utils import translation
from django.utils.cache import patch_vary_headers

SUPPORTED = {code for code, _ in settings.LANGUAGES}


def _accepted(request):
    """The first supported language of the Accept-Language header, if any."""
    from django.utils.translation.trans_real import parse_accept_lang_header

    for code, _q in parse_accept_lang_header(request.headers.get("Accept-Language", "")):
        code = code.split("-")[0].lower()
        if code in SUPPORTED:
            return code
    return None


def language_for(request):
    # An API client states its language per request; pages follow the user's saved choice.
    if request.path.startswith("/api/"):
        accepted = _accepted(request)
        if accepted:
            return accepted
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and user.language in SUPPORTED:
        return user.language
    cookie = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
    if cookie in SUPPORTED:
        return cookie
    return settings.LANGUAGE_CODE


class UserLanguageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        language = language_for(request)
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        patch_vary_headers(response, ("Cookie",))
        response.headers.setdefault("Content-Language", language)
        return response
