"""Errors and the progress/cancel protocol shared by every core function."""


class InputError(ValueError):
    """Bad input that the user can fix; the message says what and how.

    The QGIS layer turns it into a ``QgsProcessingException``.  An error made
    by :meth:`keyed` also carries a message id and its parameters, so the
    QGIS layer can show the message translated (the core stays free of Qt).
    """

    key = None          #: message id (None: only the English message)
    params = ()         #: the texts filling the template's {0}, {1}, ...

    @classmethod
    def keyed(cls, key, template, *params):
        """An InputError whose message is ``template.format(*params)`` (English)."""
        params = tuple(str(p) for p in params)
        err = cls(template.format(*params))
        err.key, err.params = key, params
        return err


class Cancelled(Exception):
    """Raised inside a long computation when the user cancelled it."""


class Progress:
    """Adapter passed to core functions: reports progress, checks for cancel.

    ``callback(percent)`` receives 0..100; ``is_cancelled()`` returns True when
    the user asked to stop.  Both are optional, so ``Progress()`` is a no-op.
    ``sub(a, b)`` gives a child that maps its own 0..100 onto ``a..b``.
    """

    def __init__(self, callback=None, is_cancelled=None, start=0.0, end=100.0):
        self._callback = callback
        self._is_cancelled = is_cancelled
        self._start = float(start)
        self._end = float(end)

    def __call__(self, percent):
        """Report ``percent`` (0..100 of this step) and check for cancel."""
        self.check()
        if self._callback is not None:
            p = min(max(float(percent), 0.0), 100.0)
            self._callback(self._start + (self._end - self._start) * p / 100.0)

    def check(self):
        """Raise :class:`Cancelled` if the user cancelled."""
        if self._is_cancelled is not None and self._is_cancelled():
            raise Cancelled("The computation was cancelled.")

    def sub(self, a, b):
        span = self._end - self._start
        return Progress(self._callback, self._is_cancelled,
                        self._start + span * a / 100.0, self._start + span * b / 100.0)


def as_progress(progress):
    """Accept a Progress, a plain ``callback(percent)`` or None."""
    if isinstance(progress, Progress):
        return progress
    if progress is None:
        return Progress()
    return Progress(progress)
