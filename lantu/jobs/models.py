"""A run of a background job: who started what, when, for which region, how far it got, its log,
its result file and its error. The queue itself is django-tasks-db's table (``DBTaskResult``); a
``Run`` points at its task by id and is what people see on the runs page."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Run(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("运行中")
        SUCCEEDED = "succeeded", _("已完成")
        FAILED = "failed", _("失败")

    kind = models.CharField(_("任务"), max_length=64, db_index=True)
    params = models.JSONField(_("参数"), default=dict, blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("发起人"),
    )
    # The starter's region: who else may see the run (scope filter) and what the job acts on.
    region_path = models.CharField(_("区划路径"), max_length=128, db_index=True)
    status = models.CharField(
        _("状态"), max_length=16, choices=Status.choices, default=Status.QUEUED, db_index=True
    )
    created_at = models.DateTimeField(_("提交时间"), auto_now_add=True, db_index=True)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(_("心跳"), null=True, blank=True)
    worker = models.CharField(_("执行进程"), max_length=128, blank=True)  # host:pid
    task_id = models.CharField(max_length=64, blank=True)
    attempt = models.PositiveIntegerField(_("次数"), default=0)
    done = models.BigIntegerField(_("已完成"), default=0)
    total = models.BigIntegerField(_("总数"), null=True, blank=True)
    stage = models.CharField(_("阶段"), max_length=200, blank=True)
    log = models.TextField(_("日志"), blank=True)
    summary = models.JSONField(_("结果摘要"), default=dict, blank=True)
    result_file = models.CharField(_("结果文件"), max_length=255, blank=True)
    result_name = models.CharField(max_length=200, blank=True)
    result_type = models.CharField(max_length=100, blank=True)
    error = models.TextField(_("错误"), blank=True)
    rerun_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="reruns"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("后台任务")
        verbose_name_plural = _("后台任务")

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk} {self.status}"

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.SUCCEEDED, self.Status.FAILED)

    @property
    def percent(self) -> int | None:
        if not self.total:
            return 100 if self.status == self.Status.SUCCEEDED else None
        return max(0, min(100, round(100 * self.done / self.total)))
