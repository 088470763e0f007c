from django.http import HttpResponse


def checkup(request):
    return HttpResponse("年报体检（建设中）")
