// The dashboard: reads the JSON API of the same origin and draws it with Chart.js (served from lib/, built from npm).
"use strict";

const colors = ["#2f6fde", "#f08c00", "#2b8a3e", "#ae3ec9", "#e03131", "#1098ad", "#5c940d", "#862e9c"];
const charts = {};

async function getJson(path) {
  const response = await fetch(path, { headers: { Accept: "application/json" } });
  const body = await response.json().catch(() => null);
  if (!response.ok) {
    // problem+json: the detail says what was wrong
    throw new Error((body && (body.detail || body.title)) || `${response.status} ${response.statusText}`);
  }
  return body;
}

function formatNumber(value) {
  return value === null || value === undefined
    ? "–"
    : Number(value).toLocaleString("en-US", { maximumFractionDigits: 2 });
}

function drawChart(id, config) {
  charts[id]?.destroy();
  // animation off: the page is drawn once per change, and screenshots should show the final state
  config.options = { animation: false, responsive: true, maintainAspectRatio: false, ...config.options };
  charts[id] = new Chart(document.getElementById(id), config);
}

async function loadHealth() {
  const badge = document.getElementById("health");
  try {
    const health = await getJson("health");
    badge.textContent = `database ok · ${health.applied_migrations} migrations`;
    badge.className = "badge ok";
  } catch (error) {
    badge.textContent = error.message;
    badge.className = "badge bad";
  }
}

async function loadOrderMetrics() {
  const metrics = await getJson("metrics/order");
  for (const [id, value] of [
    ["metric-visits", metrics.median_visits_before_order],
    ["metric-minutes", metrics.median_session_duration_minutes_before_order],
  ]) {
    const element = document.getElementById(id);
    element.textContent = formatNumber(value);
    element.dataset.value = value === null ? "" : String(value);
  }
}

// A number per request: when the key and the source change in quick succession, the answers may come back in any
// order, and only the latest choice may be drawn (an earlier answer arriving last would leave a stale chart).
const familyState = { key: "browser_family", source: "", request: 0 };

async function loadFamilies() {
  const request = ++familyState.request;
  await Promise.all([loadFamilyTotals(request), loadFamiliesDaily(request)]);
}

async function loadFamilyTotals(request) {
  const query = familyState.source ? `?source=${encodeURIComponent(familyState.source)}` : "";
  const families = await getJson(`sessions/by/${familyState.key}${query}`);
  if (request !== familyState.request) return;
  const labels = Object.keys(families);
  drawChart("chart-families", {
    type: "bar",
    data: { labels, datasets: [{ label: "sessions", data: labels.map((l) => families[l]), backgroundColor: colors[0] }] },
    options: { plugins: { legend: { display: false } }, scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } },
  });
}

// One line per family value (the largest first; beyond the palette the rest summed as "other values"), summed over
// sources when all are chosen. A day with sessions but none of a value is a zero for it; a day without any is a gap.
async function loadFamiliesDaily(request) {
  const params = new URLSearchParams({ key: familyState.key });
  if (familyState.source) params.set("source", familyState.source);
  const rows = await getJson(`sessions/daily-by-key?${params}`);
  if (request !== familyState.request) return;
  const byValue = new Map();
  for (const row of rows) {
    const value = row.group_value ?? "Other";
    const days = byValue.get(value) ?? new Map();
    const day = dayNumber(row.session_date);
    days.set(day, (days.get(day) ?? 0) + row.sessions);
    byValue.set(value, days);
  }
  const total = (value) => [...byValue.get(value).values()].reduce((a, b) => a + b, 0);
  const ranked = [...byValue.keys()].sort((a, b) => total(b) - total(a) || (a < b ? -1 : a > b ? 1 : 0));
  const lines = ranked.length <= colors.length ? ranked : ranked.slice(0, colors.length - 1);
  const rest = ranked.slice(lines.length);
  const activeDays = new Set(rows.map((r) => dayNumber(r.session_date)));
  const allDays = [...activeDays];
  const series = (values) => daySeries(allDays,
    (day) => activeDays.has(day) ? values.reduce((sum, value) => sum + (byValue.get(value).get(day) ?? 0), 0) : null);
  const datasets = [...lines.map((value) => [value, [value]]), ...(rest.length > 0 ? [["other values", rest]] : [])]
    .map(([label, values], i) => ({ label, data: series(values), borderColor: colors[i], backgroundColor: colors[i], tension: 0 }));
  drawChart("chart-families-daily", { type: "line", data: { datasets }, options: sessionsPerDayOptions(allDays) });
}

// Days are whole numbers since 1970-01-01 (UTC) on a linear axis: spacing is proportional to time, a missing day leaves
// its room, and no date adapter is needed (Chart.js's time axis requires one).
const dayMs = 86_400_000;
const dayNumber = (isoDay) => Date.parse(`${isoDay}T00:00:00Z`) / dayMs;
const dayText = (number) => new Date(number * dayMs).toISOString().slice(0, 10);

// An x axis of UTC days: ticks on whole days only, half a day of room at either end so the end points are not cut off.
function dayAxis(days, title) {
  const bounds = days.length > 0 ? { min: Math.min(...days) - 0.5, max: Math.max(...days) + 0.5 } : {};
  return {
    type: "linear",
    ...bounds,
    ticks: { precision: 0, callback: (value) => dayText(value) },
    afterBuildTicks: (axis) => { axis.ticks = axis.ticks.filter((tick) => Number.isInteger(tick.value)); },
    title: { display: true, text: title },
  };
}

// A point for every UTC day from the first of days to the last; a null y leaves a gap in the line.
function daySeries(days, yOf) {
  const data = [];
  for (let day = Math.min(...days); day <= Math.max(...days); day++) {
    data.push({ x: day, y: yOf(day) });
  }
  return data;
}

// The options of a line chart of sessions per UTC day of session start.
function sessionsPerDayOptions(days) {
  return {
    plugins: { tooltip: { callbacks: { title: (items) => `${dayText(items[0].parsed.x)} (UTC)` } } },
    scales: {
      x: dayAxis(days, "session start (UTC day)"),
      y: { beginAtZero: true, ticks: { precision: 0 }, title: { display: true, text: "sessions" } },
    },
  };
}

async function loadDaily() {
  const rows = await getJson("sessions/daily");
  const sources = [...new Set(rows.map((r) => r.source))].sort();
  const datasets = sources.map((source, i) => {
    const byDay = new Map(rows.filter((r) => r.source === source).map((r) => [dayNumber(r.session_date), r.sessions]));
    const days = [...byDay.keys()];
    // A day without a row is a gap in the line (null), not a zero: the mart has no row for it, not a count of 0.
    const data = daySeries(days, (day) => byDay.get(day) ?? null);
    return { label: source, data, borderColor: colors[i % colors.length], backgroundColor: colors[i % colors.length], tension: 0 };
  });
  drawChart("chart-daily", { type: "line", data: { datasets }, options: sessionsPerDayOptions(rows.map((r) => dayNumber(r.session_date))) });
}

// The period picker shows the period answered, also when the API chose it (the week ending on the latest view).
const topState = { request: 0 };

async function loadTopCampaigns(period = {}) {
  const panel = document.getElementById("top-campaigns");
  const error = panel.querySelector(".error");
  const params = new URLSearchParams(Object.entries(period).filter(([, value]) => value));
  const request = ++topState.request;  // as for the families: only the latest period is drawn
  let top = null;
  try {
    top = await getJson(`campaigns/top?${params}`);
  } catch (e) {
    if (request !== topState.request) return;
    error.textContent = e.message;
  }
  if (request !== topState.request) return;
  error.hidden = top !== null;
  const hasData = top !== null && top.campaigns.length > 0;
  panel.querySelector(".empty").hidden = top === null || hasData;
  panel.querySelector(".chart").hidden = !hasData;
  panel.querySelector("table").hidden = !hasData;
  panel.dataset.state = top === null ? "error" : hasData ? "data" : "empty";
  if (top === null) return;
  const form = document.getElementById("top-campaigns-period");
  form.elements.from.value = top.from;
  form.elements.to.value = top.to;
  if (!hasData) {
    charts["chart-top-campaigns"]?.destroy();
    delete charts["chart-top-campaigns"];
    return;
  }
  const rate = (campaign) => `${formatNumber(campaign.view_to_driven_reward_rate * 100)} %`;
  drawChart("chart-top-campaigns", {
    type: "bar",
    data: {
      labels: top.campaigns.map((c) => `campaign ${c.campaign_id}`),
      datasets: [{ label: "rewards driven", data: top.campaigns.map((c) => c.rewards_driven), backgroundColor: colors[0] }],
    },
    options: {
      indexAxis: "y",
      plugins: {
        legend: { display: false },
        title: { display: true, text: `${top.from} to ${top.to} (UTC days)` },
        tooltip: { callbacks: { afterLabel: (item) => `${top.campaigns[item.dataIndex].views} views, ${rate(top.campaigns[item.dataIndex])} driven per view` } },
      },
      scales: {
        x: { beginAtZero: true, ticks: { precision: 0 }, title: { display: true, text: "rewards driven" } },
        y: { title: { display: true, text: "campaign" } },
      },
    },
  });
  document.querySelector("#top-campaigns-table tbody").replaceChildren(...top.campaigns.map((c) => {
    const tr = document.createElement("tr");
    tr.append(cell(c.campaign_id), numberCell(formatNumber(c.rewards_driven)), numberCell(formatNumber(c.views)),
      numberCell(formatNumber(c.viewers)), numberCell(formatNumber(c.sessions_with_view)), numberCell(rate(c)));
    return tr;
  }));
}

// The access-log panels: without an access log (the bundled sample has none) the marts are empty, and each panel says
// so instead of drawing an empty chart or table; a failed request puts its problem's detail in that place.
function showPanel(id, hasData, error) {
  const panel = document.getElementById(id);
  const empty = panel.querySelector(".empty");
  empty.hidden = hasData;
  if (error) {
    empty.textContent = error;
    empty.classList.add("error");
  }
  panel.querySelector(".chart, table").hidden = !hasData;
  panel.dataset.state = error ? "error" : hasData ? "data" : "empty";
}

async function loadTraffic() {
  let traffic;
  try {
    traffic = await getJson("traffic/sources");
  } catch (error) {
    showPanel("traffic", false, error.message);
    return;
  }
  showPanel("traffic", traffic.daily.length > 0);
  if (traffic.daily.length === 0) return;
  const days = [...new Set(traffic.daily.map((r) => r.session_date))].sort();
  // channels in the API's order: the largest of the period first, at the bottom of each stack
  const datasets = traffic.channels.map(({ channel }, i) => {
    const byDay = new Map(traffic.daily.filter((r) => r.channel === channel).map((r) => [r.session_date, r.sessions]));
    return { label: channel, data: days.map((d) => byDay.get(d) ?? 0), backgroundColor: colors[i % colors.length] };
  });
  drawChart("chart-traffic", {
    type: "bar",
    data: { labels: days, datasets },
    options: {
      scales: {
        x: { stacked: true, title: { display: true, text: "session start (UTC day)" } },
        y: { stacked: true, beginAtZero: true, ticks: { precision: 0 }, title: { display: true, text: "sessions" } },
      },
    },
  });
}

function numberCell(text) {
  const td = cell(text);
  td.className = "num";
  return td;
}

async function loadLandingPages() {
  let pages;
  try {
    pages = await getJson("traffic/landing-pages?limit=10");
  } catch (error) {
    showPanel("landing", false, error.message);
    return;
  }
  showPanel("landing", pages.length > 0);
  document.querySelector("#landing-table tbody").replaceChildren(...pages.map((row) => {
    const tr = document.createElement("tr");
    tr.append(cell(row.landing_page), numberCell(formatNumber(row.sessions)),
      numberCell(`${formatNumber(row.bounce_rate * 100)} %`), numberCell(formatNumber(row.pages_per_session)),
      numberCell(formatNumber(row.median_duration_seconds)));
    return tr;
  }));
}

// Keyset pagination: the API hands out next_cursor; going back means remembering the cursors of earlier pages.
const campaignState = { filter: {}, cursors: [null], page: 0, request: 0 };

function cell(text) {
  const td = document.createElement("td");
  td.textContent = text;
  return td;
}

async function loadCampaignPage() {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(campaignState.filter)) {
    if (value) params.set(name, value);
  }
  const cursor = campaignState.cursors[campaignState.page];
  if (cursor) params.set("cursor", cursor);
  const error = document.getElementById("campaign-error");
  const request = ++campaignState.request;  // as for the families: only the latest page or filter is drawn
  let page;
  try {
    page = await getJson(`campaigns/performance?${params}`);
    if (request !== campaignState.request) return;
    error.hidden = true;
  } catch (e) {
    if (request !== campaignState.request) return;
    error.textContent = e.message;
    error.hidden = false;
    return;
  }
  const body = document.querySelector("#campaign-table tbody");
  body.replaceChildren(...page.items.map((row) => {
    const tr = document.createElement("tr");
    tr.append(cell(row.user_id), cell(row.session_start), cell(row.session_end),
      cell(row.campaigns.join(", ")), cell(row.rewards_issued.join(", ")), cell(row.reward_driven_by_campaign_view ? "yes" : "no"));
    return tr;
  }));
  campaignState.cursors[campaignState.page + 1] = page.next_cursor;
  document.getElementById("campaign-page").textContent = `page ${campaignState.page + 1}`;
  document.getElementById("campaign-prev").disabled = campaignState.page === 0;
  document.getElementById("campaign-next").disabled = !page.next_cursor;
}

function readCampaignFilter() {
  const form = new FormData(document.getElementById("campaign-filter"));
  // datetime-local has no zone; the API reads a timestamp without one as UTC, which is what the table shows
  campaignState.filter = Object.fromEntries(["from", "to", "user_id", "limit"].map((n) => [n, String(form.get(n) ?? "").trim()]));
  campaignState.cursors = [null];
  campaignState.page = 0;
}

function wireControls() {
  for (const button of document.querySelectorAll("#family-keys button")) {
    button.addEventListener("click", () => {
      familyState.key = button.dataset.key;
      for (const other of document.querySelectorAll("#family-keys button")) {
        other.setAttribute("aria-pressed", String(other === button));
      }
      loadFamilies();
    });
  }
  document.getElementById("family-source").addEventListener("change", (event) => {
    familyState.source = event.target.value;
    loadFamilies();
  });
  document.getElementById("top-campaigns-period").addEventListener("submit", (event) => {
    event.preventDefault();
    const form = new FormData(event.target);
    loadTopCampaigns({ from: String(form.get("from") ?? ""), to: String(form.get("to") ?? "") });
  });
  document.getElementById("campaign-filter").addEventListener("submit", (event) => {
    event.preventDefault();
    readCampaignFilter();
    loadCampaignPage();
  });
  document.getElementById("campaign-next").addEventListener("click", () => { campaignState.page++; loadCampaignPage(); });
  document.getElementById("campaign-prev").addEventListener("click", () => { campaignState.page--; loadCampaignPage(); });
}

async function main() {
  wireControls();
  readCampaignFilter();
  await Promise.allSettled([loadHealth(), loadOrderMetrics(), loadFamilies(), loadDaily(), loadTopCampaigns(), loadTraffic(), loadLandingPages(),
    loadCampaignPage()]);
  // a marker for tests and scripts: everything has been asked for and drawn
  document.body.dataset.ready = "true";
}

document.addEventListener("DOMContentLoaded", main);
