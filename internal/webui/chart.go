package webui

import "fmt"

// The charts are inline SVG drawn by templates/charts.html from these
// figures: no script, no image files.

// hbarChart is a horizontal bar chart: one labelled bar per row.
type hbarChart struct {
	Width, Height int
	LabelWidth    int
	Bars          []hbar
}

type hbar struct {
	Label, Value           string
	Y, W, TextY, X, ValueX int
}

const (
	hbarLabel = 120 // the labels' column
	hbarPlot  = 420 // the longest bar
	hbarRow   = 28
	hbarThick = 18
)

// newHBarChart draws values (one per label) as bars of a width
// proportional to the value; unit follows each value's figure.
func newHBarChart(labels []string, values []int64, unit string) hbarChart {
	c := hbarChart{Width: hbarLabel + hbarPlot + 90, Height: len(labels)*hbarRow + 8, LabelWidth: hbarLabel}
	max := int64(0)
	for _, v := range values {
		max = maxOf(max, v)
	}
	for i, l := range labels {
		w := 0
		if max > 0 {
			w = int(values[i] * hbarPlot / max)
		}
		if values[i] > 0 && w < 2 {
			w = 2 // a stage that took any time shows
		}
		y := 4 + i*hbarRow
		c.Bars = append(c.Bars, hbar{
			Label: l, Value: formatInt(values[i]) + unit,
			X: hbarLabel, Y: y, W: w, TextY: y + hbarThick - 4, ValueX: hbarLabel + w + 8,
		})
	}
	return c
}

// vbarChart is a column chart over runs, with a line through the columns'
// tops: an audience's size per run.
type vbarChart struct {
	Width, Height     int
	PlotTop, PlotBase int
	Left, Right       int
	Max               string
	Bars              []vbar
	Line              string // the polyline's points
	FirstLabel, Last  string
	FirstX, LastX     int
	Gridlines         []gridline
}

type vbar struct {
	X, Y, W, H int
	Title      string
}

type gridline struct {
	Y     int
	Label string
}

// newVBarChart draws one column per point; labels name the points (run
// IDs), titles are each column's tooltip.
func newVBarChart(labels []string, values []int64, titles []string) vbarChart {
	c := vbarChart{Width: 640, Height: 220, PlotTop: 16, PlotBase: 190, Left: 48, Right: 632}
	max := int64(0)
	for _, v := range values {
		max = maxOf(max, v)
	}
	scale := max
	if scale == 0 {
		scale = 1
	}
	c.Max = formatInt(max)
	plotH := c.PlotBase - c.PlotTop
	for _, quarters := range []int64{4, 2, 0} { // gridlines at the top, half and zero
		v := max * quarters / 4
		c.Gridlines = append(c.Gridlines, gridline{Y: c.PlotBase - int(v*int64(plotH)/scale), Label: formatInt(v)})
	}
	n := len(values)
	if n == 0 {
		return c
	}
	slot := (c.Right - c.Left) / n
	w := slot * 6 / 10
	if w < 2 {
		w = 2
	}
	if w > 48 {
		w = 48
	}
	for i, v := range values {
		h := int(v * int64(plotH) / scale)
		if v > 0 && h < 2 {
			h = 2
		}
		x := c.Left + i*slot + (slot-w)/2
		c.Bars = append(c.Bars, vbar{X: x, Y: c.PlotBase - h, W: w, H: h, Title: titles[i]})
		c.Line += fmt.Sprintf("%d,%d ", x+w/2, c.PlotBase-h)
	}
	c.FirstLabel, c.FirstX = labels[0], c.Bars[0].X+w/2
	c.Last, c.LastX = labels[n-1], c.Bars[n-1].X+w/2
	return c
}

func maxOf(a, b int64) int64 {
	if a > b {
		return a
	}
	return b
}
