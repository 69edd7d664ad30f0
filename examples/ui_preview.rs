//! A dev tool to look at the kiosk's pages with sample data.
//!
//! Offscreen (default): renders one page with Slint's software renderer and writes a PNG
//! (through ImageMagick's `convert`):
//!
//!     cargo run --example ui_preview -- guide --level 2 --contrast --out /tmp/guide.png
//!
//! In a window (winit; under Xvfb for screenshots): add `--window`.
//!
//! Pages: home, list, info, yesno, entry, confirm, ticket, guide, message, busy, help.
//! Options: --level 0|1|2, --contrast, --en (English bundled translation), --size WxH,
//! --error (show the problem banner), --idle N (idle warning with N seconds left),
//! --page-2 (for list/guide: press "下一页" once before the snapshot), --voice, --out PATH,
//! --audit (list every button's accessible label and size; exit 2 on a problem),
//! --click LABEL (a pointer click on the element with that accessible label; repeatable).
//! UI_PREVIEW_DEBUG=1 prints the geometry of the lines areas.

use std::rc::Rc;

use slint::platform::software_renderer::{MinimalSoftwareWindow, RepaintBufferType};
use slint::platform::{Platform, WindowAdapter};
use i_slint_backend_testing::{AccessibleRole, ElementHandle, ElementQuery};
use slint::{ComponentHandle, ModelRc, PlatformError, SharedString, VecModel};

slint::include_modules!();

struct Options {
    page: String,
    level: i32,
    contrast: bool,
    english: bool,
    width: u32,
    height: u32,
    error: bool,
    idle: i32,
    page_two: bool,
    voice: bool,
    window: bool,
    audit: bool,
    clicks: Vec<String>,
    out: String,
}

fn parse_args() -> Options {
    let mut o = Options {
        page: "home".into(),
        level: 0,
        contrast: false,
        english: false,
        width: 1920,
        height: 1080,
        error: false,
        idle: -1,
        page_two: false,
        voice: false,
        window: false,
        audit: false,
        clicks: Vec::new(),
        out: String::new(),
    };
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--level" => o.level = args.next().and_then(|v| v.parse().ok()).expect("--level 0|1|2"),
            "--contrast" => o.contrast = true,
            "--en" => o.english = true,
            "--error" => o.error = true,
            "--voice" => o.voice = true,
            "--page-2" => o.page_two = true,
            "--window" => o.window = true,
            "--audit" => o.audit = true,
            "--click" => o.clicks.push(args.next().expect("--click LABEL")),
            "--idle" => o.idle = args.next().and_then(|v| v.parse().ok()).expect("--idle N"),
            "--out" => o.out = args.next().expect("--out PATH"),
            "--size" => {
                let v = args.next().expect("--size WxH");
                let (w, h) = v.split_once('x').expect("--size WxH");
                o.width = w.parse().expect("width");
                o.height = h.parse().expect("height");
            }
            "-h" | "--help" => {
                eprintln!("{}", include_str!("ui_preview.rs").lines().take(19).collect::<Vec<_>>().join("\n"));
                std::process::exit(0);
            }
            p if !p.starts_with('-') => o.page = p.to_string(),
            other => panic!("unknown option {other}"),
        }
    }
    if o.out.is_empty() {
        o.out = format!(
            "/tmp/ui-{}-l{}{}{}{}.png",
            o.page,
            o.level,
            if o.contrast { "-hc" } else { "" },
            if o.english { "-en" } else { "" },
            if o.width != 1920 || o.height != 1080 { format!("-{}x{}", o.width, o.height) } else { String::new() }
        );
    }
    o
}

fn item(id: &str, label: &str, detail: &str) -> ItemData {
    ItemData { id: id.into(), label: label.into(), detail: detail.into() }
}

fn heading(text: &str) -> LineData {
    LineData { style: LineStyle::Heading, text: text.into(), value: SharedString::new() }
}

fn body(text: &str) -> LineData {
    LineData { style: LineStyle::Body, text: text.into(), value: SharedString::new() }
}

fn field(text: &str, value: &str) -> LineData {
    LineData { style: LineStyle::Field, text: text.into(), value: value.into() }
}

fn model<T: Clone + 'static>(v: Vec<T>) -> ModelRc<T> {
    ModelRc::new(VecModel::from(v))
}

/// Fills the window with the sample view for `page`.
fn set_sample(ui: &AppWindow, o: &Options) {
    let mut items = Vec::new();
    let mut lines = Vec::new();
    let (kind, title, prompt) = match o.page.as_str() {
        "home" => {
            items = vec![
                item("take-number", "取号排队", "领取排队号，到窗口办理"),
                item("scan-receipt", "扫描预审回执", "网上预审通过，快速取号"),
                item("guides", "办事指南", "查看要带哪些材料"),
                item("pension", "养老金资格认证", "刷脸完成年度认证"),
                item("call-staff", "呼叫工作人员", "请工作人员来帮您"),
            ];
            (PageKind::Home, "您好，请选择要办理的事项", "请点按下面的大按钮")
        }
        "list" => {
            let services = [
                ("social.enroll", "城乡居民基本养老保险参保登记", "人力资源和社会保障局"),
                ("social.card", "社会保障卡申领", "人力资源和社会保障局"),
                ("social.card-loss", "社会保障卡挂失与补办", "人力资源和社会保障局"),
                ("medical.enroll", "城乡居民医疗保险参保登记", "医疗保障局"),
                ("medical.reimburse", "医疗费用手工报销", "医疗保障局"),
                ("household.move-in", "户口迁入登记", "公安局"),
                ("household.birth", "出生登记", "公安局"),
                ("id-card.renew", "居民身份证换领", "公安局"),
                ("marriage.cert", "婚姻登记预约", "民政局"),
                ("elderly.allowance", "高龄津贴申请", "民政局"),
                ("disability.subsidy", "残疾人两项补贴申请", "残疾人联合会"),
                ("water.pay", "水费缴纳", "水务公司"),
                ("power.pay", "电费缴纳", "供电公司"),
                ("housing.fund", "住房公积金提取", "住房公积金中心"),
            ];
            items = services.iter().map(|(id, l, d)| item(id, l, d)).collect();
            (PageKind::List, "请选择要办理的业务", "点按业务名称")
        }
        "info" => {
            lines = vec![
                heading("办理须知"),
                body("本业务需要核对您的身份证号码和手机号码。"),
                body("接下来请用屏幕上的数字键输入，输错了可以按“删除”。"),
                body("填写的内容只用于本次取号，离开后会自动清除。"),
            ];
            items = vec![item("next", "我知道了，下一步", "")];
            (PageKind::Info, "社会保障卡申领", "请阅读以下说明")
        }
        "help" => {
            lines = vec![
                body("点按大按钮选择。点错了，按左上角的“返回”。"),
                body("字太小，按顶部的“文字大小”；看不清，按“高对比度”。"),
                body("需要人帮忙，随时按“呼叫工作人员”。"),
                body("离开一分钟后，自助机会清除您填写的内容。"),
            ];
            items = vec![item("help.close", "我知道了", "")];
            (PageKind::Info, "使用帮助", "每页只做一件事，慢慢来，不着急")
        }
        "yesno" => {
            items = vec![item("yes", "是", ""), item("no", "否", "")];
            (PageKind::YesNo, "您是为自己办理吗？", "请点按“是”或“否”")
        }
        "entry" => {
            items = vec![item("entry.done", "确定", ""), item("entry.skip", "跳过，不填写", "")];
            ui.set_entry(EntryData { shown: "11010519491231002".into(), expected_len: 18, allows_x: true, optional: true });
            (PageKind::Entry, "身份证号码", "请用下面的数字键输入18位身份证号码")
        }
        "confirm" => {
            lines = vec![
                field("业务", "城乡居民基本养老保险参保登记"),
                field("身份证号码", "110105 19491231 002X"),
                field("手机号码", "138 0013 8000"),
                field("办理人", "本人"),
            ];
            items = vec![item("confirm", "确认取号", "")];
            (PageKind::Confirm, "请核对信息", "请核对以下信息，无误请点“确认取号”")
        }
        "ticket" => {
            ui.set_ticket(TicketData {
                number: "A023".into(),
                service: "城乡居民基本养老保险参保登记".into(),
                window: "办理窗口：3号、4号窗口".into(),
                people_ahead: "前面还有 5 人".into(),
                wait: "预计等待约 15 分钟".into(),
            });
            items = vec![item("finish", "完成，返回首页", "")];
            (PageKind::Ticket, "取号成功", "请留意叫号屏和广播，叫到号后到窗口办理")
        }
        "guide" => {
            lines = vec![
                heading("办理部门"),
                body("人力资源和社会保障局（便民服务中心一楼 3号、4号窗口）"),
                heading("需要带的材料"),
                field("1. 居民身份证", "原件，1份，必须提供"),
                field("2. 户口簿", "原件和复印件，各1份，必须提供"),
                field("3. 一寸免冠照片", "2张，如有请带上"),
                field("4. 银行卡或存折", "原件，1份，用于发放养老金"),
                heading("办理条件"),
                body("年满16周岁（不含在校学生），非国家机关和事业单位工作人员，未参加职工基本养老保险的城乡居民。"),
                heading("办理时限"),
                body("即办件：材料齐全当场办结"),
                heading("收费标准"),
                body("不收费"),
            ];
            items = vec![item("guide.take-number", "为此业务取号", "")];
            (PageKind::Guide, "城乡居民基本养老保险参保登记", "请带齐以下材料到窗口办理")
        }
        "message" => {
            lines = vec![body("系统暂时连不上，您填写的内容都已保留。请点“重试”，或到服务台找工作人员。")];
            items = vec![item("retry", "重试", ""), item("home", "返回首页", "")];
            (PageKind::Message, "服务暂时不可用", "")
        }
        "busy" => (PageKind::Busy, "正在办理，请稍候", "正在连接服务中心系统"),
        other => panic!("unknown page {other}"),
    };
    ui.set_page(kind);
    ui.set_page_title(title.into());
    ui.set_prompt(prompt.into());
    ui.set_items(model(items));
    ui.set_lines(model(lines));
    ui.set_can_go_back(!matches!(kind, PageKind::Home | PageKind::Ticket));
    ui.set_error(if o.error { "身份证号码最后一位（校验码）不对，请逐位核对".into() } else { SharedString::new() });
    ui.set_idle_seconds_left(o.idle);
    ui.set_text_size_level(o.level);
    ui.set_high_contrast(o.contrast);
    ui.set_voice_on(o.voice);
    ui.set_text_size_name(
        match (o.english, o.level) {
            (false, 0) => "标准",
            (false, 1) => "大",
            (false, _) => "特大",
            (true, 0) => "standard",
            (true, 1) => "large",
            (true, _) => "largest",
        }
        .into(),
    );
}

struct Offscreen {
    window: Rc<MinimalSoftwareWindow>,
}

impl Platform for Offscreen {
    fn create_window_adapter(&self) -> Result<Rc<dyn WindowAdapter>, PlatformError> {
        Ok(self.window.clone())
    }
}

fn log_callbacks(ui: &AppWindow) {
    ui.on_activate(|id| eprintln!("activate({id})"));
    ui.on_bar(|id| eprintln!("bar({id})"));
    ui.on_key(|k| eprintln!("key({k})"));
    ui.on_more_time(|| eprintln!("more-time()"));
    ui.on_touched(|| eprintln!("touched()"));
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let o = parse_args();

    if o.window {
        let ui = AppWindow::new()?;
        if o.english {
            slint::select_bundled_translation("en_US")?;
        }
        set_sample(&ui, &o);
        log_callbacks(&ui);
        ui.window().set_size(slint::PhysicalSize::new(o.width, o.height));
        ui.run()?;
        return Ok(());
    }

    let window = MinimalSoftwareWindow::new(RepaintBufferType::NewBuffer);
    slint::platform::set_platform(Box::new(Offscreen { window: window.clone() }))?;
    let ui = AppWindow::new()?;
    if o.english {
        slint::select_bundled_translation("en_US")?;
    }
    set_sample(&ui, &o);
    log_callbacks(&ui);
    window.set_size(slint::PhysicalSize::new(o.width, o.height));
    ui.show()?;
    slint::platform::update_timers_and_animations();
    // Let change handlers and layouts settle, then render.
    let _ = ui.window().take_snapshot()?;
    if o.page_two {
        // Press "下一页" through the accessibility action, the way a screen reader would.
        press(&ui, if o.english { "Next page" } else { "下一页" });
        slint::platform::update_timers_and_animations();
        let _ = ui.window().take_snapshot()?;
    }
    for label in &o.clicks {
        // A real pointer press and release at the element's centre (catches an overlay that
        // would swallow clicks), then let the UI settle.
        match ElementHandle::find_by_accessible_label(&ui, label).next() {
            Some(e) => {
                use slint::platform::{PointerEventButton, WindowEvent};
                let (p, s) = (e.absolute_position(), e.size());
                let position = slint::LogicalPosition::new(p.x + s.width / 2.0, p.y + s.height / 2.0);
                let button = PointerEventButton::Left;
                ui.window().dispatch_event(WindowEvent::PointerMoved { position });
                ui.window().dispatch_event(WindowEvent::PointerPressed { position, button });
                ui.window().dispatch_event(WindowEvent::PointerReleased { position, button });
                ui.window().dispatch_event(WindowEvent::PointerExited);
            }
            None => eprintln!("no element labelled {label:?}"),
        }
        slint::platform::update_timers_and_animations();
        let _ = ui.window().take_snapshot()?;
    }
    if std::env::var_os("UI_PREVIEW_DEBUG").is_some() {
        for id in ["LinesBox::content", "ReadingArea::box", "LinesArea::box"] {
            for e in ElementHandle::find_by_element_id(&ui, id) {
                eprintln!("{id}: {:?} at {:?}", e.size(), e.absolute_position());
            }
        }
        for e in ElementQuery::from_root(&ui).match_descendants().match_type_name("LineView").find_all() {
            eprintln!("LineView: {:?} at {:?}", e.size(), e.absolute_position());
        }
    }
    if o.audit && !audit(&ui) {
        std::process::exit(2);
    }
    let shot = ui.window().take_snapshot()?;
    let (w, h) = (shot.width(), shot.height());
    let mut ppm = format!("P6\n{w} {h}\n255\n").into_bytes();
    for p in shot.as_slice() {
        ppm.extend_from_slice(&[p.r, p.g, p.b]);
    }
    let mut convert = std::process::Command::new("convert")
        .args(["ppm:-", &format!("png:{}", o.out)])
        .stdin(std::process::Stdio::piped())
        .spawn()?;
    std::io::Write::write_all(convert.stdin.as_mut().unwrap(), &ppm)?;
    drop(convert.stdin.take());
    if !convert.wait()?.success() {
        return Err("convert failed".into());
    }
    println!("{}", o.out);
    Ok(())
}

/// Presses a button by its accessible label, the way a screen reader would.
fn press(ui: &AppWindow, label: &str) {
    match ElementHandle::find_by_accessible_label(ui, label).next() {
        Some(e) => e.invoke_accessible_default_action(),
        None => eprintln!("no element labelled {label:?}"),
    }
}

/// Lists every button with its accessible label and size, and flags problems: a target
/// under 60x60 px, an empty label, or a label exposed twice (an inner Text not hidden).
fn audit(ui: &AppWindow) -> bool {
    let mut ok = true;
    let mut buttons = ElementQuery::from_root(ui)
        .match_descendants()
        .match_accessible_role(AccessibleRole::Button)
        .find_all();
    // The query can reach an element more than once (through inherited components).
    let mut seen = std::collections::HashSet::new();
    buttons.retain(|b| {
        let (p, s) = (b.absolute_position(), b.size());
        seen.insert((b.accessible_label().unwrap_or_default(), p.x as i32, p.y as i32, s.width as i32, s.height as i32))
    });
    for b in &buttons {
        let label = b.accessible_label().unwrap_or_default();
        let size = b.size();
        let pos = b.absolute_position();
        let mut problems = Vec::new();
        if label.is_empty() {
            problems.push("no label".to_string());
        }
        if size.width < 60.0 || size.height < 60.0 {
            problems.push(format!("target {}x{} < 60x60", size.width, size.height));
        }
        if !problems.is_empty() {
            ok = false;
        }
        let same = ElementHandle::find_by_accessible_label(ui, &label).collect::<Vec<_>>();
        let same_buttons =
            same.iter().filter(|e| e.accessible_role() == Some(AccessibleRole::Button)).count();
        if same.len() > same_buttons {
            ok = false;
            problems.push(format!("label also exposed by {} non-button(s)", same.len() - same_buttons));
        }
        if same_buttons > 1 {
            problems.push(format!("warning: {same_buttons} buttons share this label"));
        }
        println!(
            "button {:<16} at {:>6.0},{:>5.0} size {:>5.0}x{:<4.0} enabled={} value={:?} {}",
            format!("{label:?}"),
            pos.x,
            pos.y,
            size.width,
            size.height,
            b.accessible_enabled().unwrap_or(true),
            b.accessible_value().unwrap_or_default(),
            problems.join("; ")
        );
    }
    println!("{} buttons, {}", buttons.len(), if ok { "all fine" } else { "PROBLEMS" });
    ok
}
