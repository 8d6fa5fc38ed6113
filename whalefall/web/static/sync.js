// Live progress of a sync session: reads /api/v1/sync/sessions/<id> with the login session every second
// until the session ends, and updates the page in place (text only, never HTML from the server).
(() => {
  const root = document.querySelector("[data-session-url]");
  if (!root) return;
  const field = (scope, name) => scope.querySelector(`[data-field="${name}"]`);
  const setStatus = (cell, status) => {
    cell.textContent = status;
    cell.className = `status ${status}`;
  };

  function render(session) {
    setStatus(field(root, "status"), session.status);
    const c = session.counts;
    field(root, "counts").textContent =
      `${c.succeeded} succeeded, ${c.partial} partial, ${c.failed} failed, ${c.skipped} skipped of ${c.instances}`;
    field(root, "finished").textContent = session.finished_at
      ? `finished ${session.finished_at.slice(0, 19).replace("T", " ")}`
      : "running…";
    for (const record of session.records) {
      const row = root.querySelector(`tr[data-instance="${record.instance_id}"]`);
      if (!row) continue;
      setStatus(field(row, "status"), record.status);
      for (const key of ["found", "created", "updated", "deleted", "unchanged", "changes"]) {
        field(row, key).textContent = record[key];
      }
      field(row, "duration_ms").textContent =
        record.duration_ms === null ? "" : `${(record.duration_ms / 1000).toFixed(1)} s`;
      const unreadable = record.unreadable && record.unreadable.length ? ` (unreadable: ${record.unreadable.join(", ")})` : "";
      field(row, "error").textContent = (record.error || "") + unreadable;
    }
  }

  async function poll() {
    try {
      const response = await fetch(root.dataset.sessionUrl, { headers: { Accept: "application/json" } });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      const session = await response.json();
      render(session);
      if (session.status === "running") setTimeout(poll, 1000);
    } catch (error) {
      field(root, "finished").textContent = `progress unavailable (${error.message}); reload the page`;
    }
  }

  if (field(root, "status").textContent.trim() === "running") setTimeout(poll, 1000);
})();
