"""The work calendar (工作日历) page: everyone sees a year and whether its
deadlines are final or provisional; the system administrator enters and
publishes a year's holidays. Writes go through the catalogue services."""

from __future__ import annotations

from calendar import Calendar
from dataclasses import dataclass
from datetime import MAXYEAR, MINYEAR, date

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from zhifa.accounts.selectors import is_sysadmin
from zhifa.accounts.services import require_sysadmin
from zhifa.catalogues import services
from zhifa.catalogues.models import WorkCalendarDay, WorkCalendarYear
from zhifa.catalogues.selectors import calendar_year_known
from zhifa.catalogues.workdays import (
    calendar_days,
    calendar_year_get,
    calendar_years,
    is_plain_workday,
)
from zhifa.core.errors import NotFound, ZhifaError

WEEKDAY_LABELS = ("一", "二", "三", "四", "五", "六", "日")


class CalendarYearForm(forms.Form):
    year = forms.IntegerField(label="年份", min_value=MINYEAR, max_value=MAXYEAR)
    notice = forms.CharField(
        label="放假安排文号",
        required=False,
        max_length=WorkCalendarYear._meta.get_field("notice").max_length,
        help_text="国务院办公厅关于该年部分节假日安排的通知文号，如：国办发明电〔2025〕7号",
    )


class CalendarDayForm(forms.Form):
    day = forms.DateField(label="日期", widget=forms.DateInput(attrs={"type": "date"}))
    is_workday = forms.TypedChoiceField(
        label="当日",
        coerce=lambda value: value == "1",
        choices=[("0", "休息（节假日）"), ("1", "上班（调休上班日）")],
    )
    name = forms.CharField(
        label="说明",
        required=False,
        max_length=WorkCalendarDay._meta.get_field("name").max_length,
        help_text="如：国庆节、国庆节调休。改回与平常周一至周五相同时，该特殊日被删除。",
    )


@dataclass(frozen=True)
class Cell:
    day: date
    kind: str  # "holiday" (休), "makeup" (班), "weekend" or "" for a plain working day
    name: str = ""


def _year_param(value) -> int:
    # The grid shows the weeks around each month, so stay a year inside date's range.
    try:
        year = int(value)
    except (TypeError, ValueError):
        return timezone.localdate().year
    return year if MINYEAR < year < MAXYEAR else timezone.localdate().year


def _calendar_url(year: int) -> str:
    return f"{reverse('catalogues:calendar')}?year={year}"


def _months(year: int, special: dict[date, WorkCalendarDay]) -> list[dict]:
    months = []
    for month in range(1, 13):
        weeks = []
        for week in Calendar().monthdatescalendar(year, month):
            cells = []
            for day in week:
                if day.month != month:
                    cells.append(None)
                elif day in special:
                    row = special[day]
                    cells.append(Cell(day, "makeup" if row.is_workday else "holiday", row.name))
                else:
                    cells.append(Cell(day, "" if is_plain_workday(day) else "weekend"))
            weeks.append(cells)
        months.append({"number": month, "weeks": weeks})
    return months


def _page(request, year: int, *, year_form=None, day_form=None, status: int = 200):
    calendar_year = calendar_year_get(year)
    days = list(calendar_days(year))
    sysadmin = is_sysadmin(request.user)
    return render(
        request,
        "catalogues/calendar.html",
        {
            "title": f"{year} 年工作日历",
            "year": year,
            "previous_year": year - 1,
            "next_year": year + 1,
            "calendar_year": calendar_year,
            "known": calendar_year_known(year),
            "days": days,
            "holiday_count": sum(not d.is_workday for d in days),
            "makeup_count": sum(d.is_workday for d in days),
            "months": _months(year, {d.day: d for d in days}),
            "weekday_labels": WEEKDAY_LABELS,
            "years": calendar_years(),
            "is_sysadmin": sysadmin,
            "year_form": year_form or CalendarYearForm(initial={"year": year}),
            "day_form": day_form or CalendarDayForm(),
        },
        status=status,
    )


@login_required
def calendar_view(request):
    return _page(request, _year_param(request.GET.get("year")))


def _refused(request, exc: ZhifaError, year: int, **forms_):
    messages.error(request, exc.message)
    return _page(request, year, status=exc.status, **forms_)


@login_required
@require_POST
def calendar_year_add_view(request):
    form = CalendarYearForm(request.POST)
    year = _year_param(request.POST.get("year"))
    try:
        # Refuse before validating a form that only the administrator is shown.
        require_sysadmin(request.user)
        if form.is_valid():
            year = form.cleaned_data["year"]
            services.calendar_year_add(actor=request.user, **form.cleaned_data)
            messages.success(request, f"已添加 {year} 年工作日历，请录入节假日和调休上班日后确认。")
            return redirect(_calendar_url(year))
    except ZhifaError as exc:
        return _refused(request, exc, year, year_form=form)
    return _page(request, year, year_form=form, status=400)


@login_required
@require_POST
def calendar_day_set_view(request):
    form = CalendarDayForm(request.POST)
    year = timezone.localdate().year
    try:
        require_sysadmin(request.user)
        if form.is_valid():
            day = form.cleaned_data["day"]
            year = day.year
            services.calendar_day_set(actor=request.user, **form.cleaned_data)
            kind = "上班" if form.cleaned_data["is_workday"] else "休息"
            messages.success(request, f"{day:%Y-%m-%d} 已设为{kind}。")
            return redirect(_calendar_url(year))
    except ZhifaError as exc:
        return _refused(request, exc, year, day_form=form)
    return _page(request, year, day_form=form, status=400)


@login_required
def calendar_year_publish_view(request, year: int):
    try:
        require_sysadmin(request.user)
        if request.method == "POST" and request.POST.get("confirmed"):
            services.calendar_year_publish(actor=request.user, year=year)
            messages.success(request, f"{year} 年工作日历已确认生效，该年的期限不再标注“暂定”。")
            return redirect(_calendar_url(year))
        calendar_year = calendar_year_get(year)
        if calendar_year is None:
            raise NotFound(f"{year} 年的工作日历尚未建立，请先添加该年度。")
    except ZhifaError as exc:
        return _refused(request, exc, _year_param(year))
    days = list(calendar_days(year))
    holidays = sum(not d.is_workday for d in days)
    notice = f"（{calendar_year.notice}）" if calendar_year.notice else "（未填写文号）"
    return render(
        request,
        "core/confirm.html",
        {
            "title": f"确认 {year} 年工作日历",
            "question": f"{year} 年放假安排{notice}：已录入节假日 {holidays} 天、"
            f"调休上班日 {len(days) - holidays} 天。确认后立即生效，"
            "落在该年的期限按此计算，不再标注“暂定”；此操作记入台账。",
            "form": forms.Form(),
            "verb": "生效",
            "cancel_url": _calendar_url(year),
        },
    )
