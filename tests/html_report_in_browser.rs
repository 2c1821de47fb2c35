//! The fixture's report (plots and index.html) opened in headless Chromium: every image
//! loads (natural width > 0), the console shows no error, and a screenshot is taken.
//!
//! A test-only copy of the page carries a small script that records console errors and
//! failed loads and, after the load event, writes `IMAGES-OK n` or `IMAGES-FAILED ...`
//! into the title, read back with `--dump-dom`. The page itself (which has no script)
//! is then opened for the screenshot with Chromium's logging on stderr, where any
//! console line counts as an error. Without `/usr/bin/chromium` (or the binary named by
//! `DERIVBENCH_CHROMIUM`) the tests pass with a notice, unless
//! `DERIVBENCH_REQUIRE_BROWSER=1`.

mod report_fixture;

use derivbench::report::{html, plot};
use report_fixture::{fixture, fresh_dir};
use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Records console errors and failed loads; after the load event, writes the verdict
/// into the title.
const CHECK_SCRIPT: &str = r#"<script>
(function () {
  var errors = [];
  var original = console.error;
  console.error = function () {
    errors.push(Array.prototype.join.call(arguments, ' '));
    original.apply(console, arguments);
  };
  window.addEventListener('error', function (e) {
    var t = e.target;
    errors.push(e.message || (t && (t.src || t.href)) || 'a resource failed to load');
  }, true);
  window.addEventListener('load', function () {
    var imgs = Array.prototype.slice.call(document.images);
    var bad = imgs.filter(function (i) { return !(i.complete && i.naturalWidth > 0); })
      .map(function (i) { return i.getAttribute('src'); });
    document.title = (bad.length === 0 && errors.length === 0)
      ? 'IMAGES-OK ' + imgs.length
      : 'IMAGES-FAILED ' + imgs.length + ' bad=[' + bad.join(',') + '] errors=[' + errors.join(' | ') + ']';
  });
})();
</script>
"#;

const TIMEOUT: Duration = Duration::from_secs(120);

/// The browser, or `None` (after a notice) when it is absent and not required.
fn chromium() -> Option<PathBuf> {
    let bin = std::env::var_os("DERIVBENCH_CHROMIUM")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/bin/chromium"));
    if bin.exists() {
        return Some(bin);
    }
    let required = std::env::var("DERIVBENCH_REQUIRE_BROWSER").is_ok_and(|v| v == "1");
    assert!(
        !required,
        "DERIVBENCH_REQUIRE_BROWSER=1 but {} does not exist (apt-get install chromium)",
        bin.display()
    );
    eprintln!(
        "notice: {} not found, the browser test is skipped (set DERIVBENCH_REQUIRE_BROWSER=1 to make this a failure)",
        bin.display()
    );
    None
}

/// What one Chromium run printed.
struct Output {
    stdout: String,
    stderr: String,
}

/// Runs headless Chromium on `page` with a fresh profile in `work`, plus `extra`
/// arguments; kills it after [`TIMEOUT`].
fn run(bin: &Path, work: &Path, tag: &str, extra: &[String], page: &Path) -> Output {
    let profile = work.join(format!("profile-{tag}"));
    let _ = std::fs::remove_dir_all(&profile);
    std::fs::create_dir_all(&profile).unwrap();
    let out_path = work.join(format!("{tag}.stdout"));
    let err_path = work.join(format!("{tag}.stderr"));
    let mut args: Vec<String> = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--enable-logging=stderr",
        "--v=0",
        "--virtual-time-budget=15000",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    args.push(format!("--user-data-dir={}", profile.display()));
    args.extend(extra.iter().cloned());
    args.push(format!("file://{}", page.display()));
    let mut child = Command::new(bin)
        .args(&args)
        .stdin(Stdio::null())
        .stdout(File::create(&out_path).unwrap())
        .stderr(File::create(&err_path).unwrap())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {}: {e}", bin.display()));
    let start = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if start.elapsed() > TIMEOUT {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "chromium did not finish within {TIMEOUT:?} on {}",
                page.display()
            );
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    let output = Output {
        stdout: std::fs::read_to_string(&out_path).unwrap_or_default(),
        stderr: std::fs::read_to_string(&err_path).unwrap_or_default(),
    };
    assert!(
        status.success(),
        "chromium failed ({status}) on {}:\n{}",
        page.display(),
        output.stderr
    );
    output
}

/// The page's title in a dumped DOM.
fn title(dom: &str) -> String {
    let a = dom.find("<title>").map(|i| i + "<title>".len());
    let b = dom.find("</title>");
    match (a, b) {
        (Some(a), Some(b)) if a <= b => dom[a..b].to_string(),
        _ => String::new(),
    }
}

/// A copy of `page` with the check script, next to it (so relative paths still work).
fn with_check(page_html: &str, dir: &Path, name: &str) -> PathBuf {
    assert!(page_html.contains("</head>"));
    let path = dir.join(name);
    std::fs::write(
        &path,
        page_html.replacen("</head>", &format!("{CHECK_SCRIPT}</head>"), 1),
    )
    .unwrap();
    path
}

/// Console lines in Chromium's log: any is an error on a page that has no script.
fn console_lines(stderr: &str) -> Vec<&str> {
    stderr
        .lines()
        .filter(|l| l.contains(":CONSOLE") || l.contains("Uncaught"))
        .collect()
}

#[test]
fn every_image_loads_and_the_console_stays_clean() {
    let Some(bin) = chromium() else { return };
    let r = fixture();
    let dir = fresh_dir("html-report-in-browser");
    let plots = plot::draw_all(&r, &dir).unwrap();
    let page = html::render_html(&r, &plots);
    let index = dir.join("index.html");
    std::fs::write(&index, &page).unwrap();
    let images = page.matches("<img ").count();
    assert_eq!(images, 14);

    let check = with_check(&page, &dir, "index-check.html");
    let out = run(&bin, &dir, "check", &["--dump-dom".into()], &check);
    let verdict = title(&out.stdout);
    assert_eq!(
        verdict,
        format!("IMAGES-OK {images}"),
        "stderr:\n{}",
        out.stderr
    );
    assert!(
        console_lines(&out.stderr).is_empty(),
        "{:?}",
        console_lines(&out.stderr)
    );

    let shot = dir.join("screenshot.png");
    let out = run(
        &bin,
        &dir,
        "screenshot",
        &[
            format!("--screenshot={}", shot.display()),
            "--window-size=1280,4000".into(),
        ],
        &index,
    );
    assert!(
        console_lines(&out.stderr).is_empty(),
        "{:?}",
        console_lines(&out.stderr)
    );
    let png = std::fs::read(&shot).unwrap();
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
    eprintln!("screenshot: {}", shot.display());
}

#[test]
fn the_check_reports_a_missing_image_and_a_console_error() {
    let Some(bin) = chromium() else { return };
    let dir = fresh_dir("html-report-in-browser-broken");
    let page = "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>t</title></head>\
                <body><img src=\"plots/missing.svg\" alt=\"missing\">\
                <script>console.error('deliberate');</script></body></html>";
    let check = with_check(page, &dir, "broken-check.html");
    let out = run(&bin, &dir, "broken", &["--dump-dom".into()], &check);
    let verdict = title(&out.stdout);
    assert!(verdict.starts_with("IMAGES-FAILED 1"), "{verdict}");
    assert!(verdict.contains("bad=[plots/missing.svg]"), "{verdict}");
    assert!(verdict.contains("deliberate"), "{verdict}");
    assert!(
        !console_lines(&out.stderr).is_empty(),
        "the log shows console lines"
    );
}
