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

async function loadDaily() {
  const rows = await getJson("sessions/daily");
  const days = [...new Set(rows.map((r) => r.session_date))].sort();
  const sources = [...new Set(rows.map((r) => r.source))].sort();
  const datasets = sources.map((source, i) => {
    const byDay = new Map(rows.filter((r) => r.source === source).map((r) => [r.session_date, r.sessions]));
    return { label: source, data: days.map((d) => byDay.get(d) ?? 0), borderColor: colors[i % colors.length], backgroundColor: colors[i % colors.length], tension: 0 };
  });
  drawChart("chart-daily", {
    type: "line",
    data: { labels: days, datasets },
    options: { scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } },
  });
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
  await Promise.allSettled([loadHealth(), loadOrderMetrics(), loadFamilies(), loadDaily(), loadTraffic(), loadLandingPages(),
    loadCampaignPage()]);
  // a marker for tests and scripts: everything has been asked for and drawn
  document.body.dataset.ready = "true";
}

document.addEventListener("DOMContentLoaded", main);
