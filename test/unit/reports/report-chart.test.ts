import { expect } from 'chai';
import { chartGeometry, niceStep, type DayCounts } from '../../../src/reports/report-chart.js';

const day = (date: string, sent = 0, failed = 0, unknown = 0): DayCounts => ({ day: date, sent, failed, unknown });
const SIZE = { width: 140, height: 132, maxLabels: 8 }; // plot: x 40..132, y 8..108 (100 units tall)

describe('report chart geometry', () => {
  it('when there are no days or only zeros, then the chart is empty', () => {
    expect(chartGeometry([]).isEmpty).to.equal(true);
    expect(chartGeometry([]).bars).to.deep.equal([]);
    const zeros = chartGeometry([day('2026-03-01'), day('2026-03-02')]);
    expect(zeros.isEmpty).to.equal(true);
    expect(zeros.bars.every((bar) => bar.segments.length === 0)).to.equal(true);
  });

  it('when a day has all three outcomes, then they stack sent, failed, unknown from the bottom, touching', () => {
    const chart = chartGeometry([day('2026-03-01', 5, 3, 2)], SIZE);
    expect(chart.max).to.equal(10);
    const [bar] = chart.bars;
    expect(bar?.total).to.equal(10);
    expect(bar?.segments.map((s) => [s.status, s.count, s.y, s.height])).to.deep.equal([
      ['sent', 5, 58, 50],
      ['failed', 3, 28, 30],
      ['unknown', 2, 8, 20],
    ]);
    const [sent, failed] = bar?.segments ?? [];
    expect(failed && failed.y + failed.height).to.equal(sent?.y);
  });

  it('when days differ, then bar heights are proportional to totals and zero counts draw nothing', () => {
    const chart = chartGeometry([day('2026-03-01', 4), day('2026-03-02', 0, 2), day('2026-03-03')], SIZE);
    expect(chart.max).to.equal(4);
    expect(chart.bars.map((bar) => bar.segments.map((s) => s.height))).to.deep.equal([[100], [50], []]);
    expect(chart.bars[1]?.segments[0]?.status).to.equal('failed');
    expect(chart.totals).to.deep.equal({ sent: 4, failed: 2, unknown: 0 });
  });

  it('when bars are laid out, then they sit in equal slots inside the plot, left to right', () => {
    const chart = chartGeometry([day('2026-03-01', 1), day('2026-03-02', 1)], SIZE);
    const xs = chart.bars.map((bar) => bar.segments[0]?.x ?? NaN);
    const width = chart.bars[0]?.segments[0]?.width ?? NaN;
    expect(width).to.be.closeTo(46 * 0.7, 0.01);
    expect(xs[0]).to.be.greaterThanOrEqual(chart.plot.left);
    expect((xs[1] ?? 0) + width).to.be.lessThanOrEqual(chart.plot.right);
    expect((xs[1] ?? 0) - (xs[0] ?? 0)).to.be.closeTo(46, 0.01);
  });

  it('when the busiest day is odd-sized, then the axis tops at a round number with at most five ticks', () => {
    expect(niceStep(0)).to.equal(1);
    expect(niceStep(0.5)).to.equal(1);
    expect(niceStep(1.75)).to.equal(2);
    expect(niceStep(2.5)).to.equal(5);
    expect(niceStep(7)).to.equal(10);
    expect(niceStep(25.25)).to.equal(50);
    const chart = chartGeometry([day('2026-03-01', 7)], SIZE);
    expect(chart.max).to.equal(8);
    expect(chart.ticks.map((tick) => tick.value)).to.deep.equal([0, 2, 4, 6, 8]);
    expect(chart.ticks[0]?.y).to.equal(chart.plot.bottom);
    expect(chart.ticks[4]?.y).to.equal(chart.plot.top);
    const big = chartGeometry([day('2026-03-01', 1234)], SIZE);
    expect(big.ticks.length).to.be.at.most(5);
    expect(big.max).to.be.at.least(1234);
  });

  it('when there are many days, then only every n-th day is labelled, at most maxLabels', () => {
    const days = Array.from({ length: 60 }, (_, i) => day(`day-${i + 1}`, 1));
    const chart = chartGeometry(days, { ...SIZE, maxLabels: 8 });
    expect(chart.labels.length).to.be.at.most(8);
    expect(chart.labels[0]?.day).to.equal('day-1');
    const few = chartGeometry(days.slice(0, 3), SIZE);
    expect(few.labels.map((label) => label.day)).to.deep.equal(['day-1', 'day-2', 'day-3']);
  });
});
