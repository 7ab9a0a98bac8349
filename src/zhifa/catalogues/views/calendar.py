from django.contrib.auth.decorators import login_required


@login_required
def calendar_view(request):
    raise NotImplementedError
