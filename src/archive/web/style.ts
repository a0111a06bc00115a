// The viewer's one stylesheet, served as /assets/style.css (a file, not inline: the
// Content-Security-Policy allows no inline style).
const HUES = [0, 28, 52, 95, 140, 172, 195, 215, 245, 275, 305, 335];

/** The stylesheet of every page. */
export const STYLE_CSS = `:root {
  color-scheme: light dark;
  --bg: #fbfbf9; --fg: #1e2125; --muted: #737880; --line: #e6e6e1; --accent: #1f6feb;
  --target: #fff3bf; --target-edge: #f0b400; --hover: #f1f1ec; --mark: #ffe066;
  --nl: 36%; --ns: 62%;
  --mono: ui-monospace, "SF Mono", "Cascadia Mono", "DejaVu Sans Mono", Menlo, Consolas, monospace;
}
@media (prefers-color-scheme: dark) {
  :root {
    --bg: #15171a; --fg: #dfe2e6; --muted: #8b929b; --line: #2a2e33; --accent: #6ea8ff;
    --target: #3a3312; --target-edge: #d9a400; --hover: #1d2024; --mark: #6b5a00;
    --nl: 70%; --ns: 70%;
  }
}
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body { margin: 0; background: var(--bg); color: var(--fg);
  font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
a { color: var(--accent); text-decoration: none; }
a:hover { text-decoration: underline; }
code { font-family: var(--mono); font-size: .92em; }
.top { position: sticky; top: 0; z-index: 2; display: flex; flex-wrap: wrap; gap: .5rem 1rem;
  align-items: center; justify-content: space-between; padding: .6rem 1rem;
  background: var(--bg); border-bottom: 1px solid var(--line); }
.crumbs { display: flex; flex-wrap: wrap; align-items: baseline; gap: .4rem; min-width: 0; }
.crumbs .home { font-weight: 600; }
.crumbs .sep { color: var(--muted); }
.quick input { width: 16rem; max-width: 60vw; }
input, select, button { font: inherit; color: inherit; background: var(--bg);
  border: 1px solid var(--line); border-radius: 6px; padding: .3rem .5rem; }
button { cursor: pointer; background: var(--accent); color: #fff; border-color: var(--accent); }
main { max-width: 72rem; margin: 0 auto; padding: 1rem; }
h1 { font-size: 1.5rem; margin: .4rem 0 .3rem; }
h1 .date { color: var(--muted); font-weight: 400; }
h2 { font-size: 1.1rem; margin: 1.5rem 0 .5rem; color: var(--muted); font-weight: 600; }
h3 { font-size: 1rem; margin: 0 0 .3rem; }
.hash { color: var(--muted); }
.meta, .muted, .count, .summary, .empty { color: var(--muted); }
.meta { margin: 0 0 .8rem; }
.rooms { list-style: none; padding: 0; margin: 0; display: grid; gap: .8rem;
  grid-template-columns: repeat(auto-fill, minmax(15rem, 1fr)); }
.room { border: 1px solid var(--line); border-radius: 8px; padding: .7rem .9rem; }
.room h3 .muted { font-weight: 400; font-size: .85em; margin-left: .3rem; }
.days { list-style: none; padding: 0; margin: 0; }
.days li { display: flex; justify-content: space-between; gap: 1rem; padding: .1rem 0; }
.count { font-size: .9em; font-variant-numeric: tabular-nums; }
.more { display: inline-block; margin-top: .3rem; font-size: .9em; }
.daytable { border-collapse: collapse; width: 100%; max-width: 36rem; }
.daytable th { text-align: left; color: var(--muted); font-weight: 500; }
.daytable td, .daytable th { padding: .3rem .6rem .3rem 0; border-bottom: 1px solid var(--line); }
.dl a { margin-right: .6rem; }
.daynav { display: flex; justify-content: space-between; gap: 1rem; margin: .6rem 0; }
.daynav .none { color: var(--muted); opacity: .6; }
.log { font-family: var(--mono); font-size: 13.5px; line-height: 1.55;
  border-top: 1px solid var(--line); border-bottom: 1px solid var(--line); padding: .3rem 0; }
.l { display: grid; grid-template-columns: 4.6rem 10rem minmax(0, 1fr); column-gap: .8rem;
  padding: .05rem .5rem; border-left: 3px solid transparent; scroll-margin-top: 4.5rem; }
.l:hover { background: var(--hover); }
.l:target { background: var(--target); border-left-color: var(--target-edge); }
.l .t { color: var(--muted); font-variant-numeric: tabular-nums; }
.l .n { text-align: right; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; font-weight: 600; }
.l .m { white-space: pre-wrap; overflow-wrap: anywhere; min-width: 0; }
.l.ev .m { grid-column: 2 / 4; color: var(--muted); font-style: italic; }
.l.ev .n { font-weight: 500; }
.l.match { background: var(--hover); }
.l.daysep { display: block; text-align: center; color: var(--muted); border-top: 1px dashed var(--line); margin-top: .3rem; }
.l.fresh { animation: fresh 2s ease-out; }
@keyframes fresh { from { background: var(--target); } to { background: transparent; } }
mark { background: var(--mark); color: inherit; border-radius: 2px; }
.live { display: flex; align-items: center; gap: .5rem; color: var(--muted); font-size: .9em; }
.live .dot { width: .6rem; height: .6rem; border-radius: 50%; background: #2da44e; }
.live.off .dot { background: var(--muted); }
.live[hidden] { display: none; }
.search { display: flex; flex-wrap: wrap; gap: .5rem .8rem; align-items: center; margin: .5rem 0 1rem; }
.search input[type=search] { flex: 1 1 16rem; }
.search label { color: var(--muted); font-size: .9em; }
.hit { margin: 0 0 1rem; }
.hit h3 { font-size: .95rem; font-weight: 500; }
.foot { max-width: 72rem; margin: 1rem auto 2rem; padding: 0 1rem; color: var(--muted); font-size: .85em; }
${HUES.map((h, i) => `.c${i} { color: hsl(${h} var(--ns) var(--nl)); }`).join('\n')}
@media (max-width: 640px) {
  main { padding: .6rem; }
  .log { font-size: 13px; }
  .l { display: block; padding: .15rem .4rem; scroll-margin-top: 7rem; }
  .l .t { margin-right: .5rem; font-size: .9em; }
  .l .n { text-align: left; display: inline; white-space: normal; }
  .l .n::after { content: ":"; color: var(--muted); font-weight: 400; }
  .l .m { display: inline; margin-left: .4rem; }
  .l.ev .n::after { content: none; }
  .l.ev .m { margin-left: 0; }
  .quick input { width: 100%; max-width: none; }
  .quick { flex: 1 1 100%; }
}
`;
