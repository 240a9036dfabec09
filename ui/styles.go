package ui

import (
	"charm.land/lipgloss/v2"
)

// styles holds every style the dashboard uses, by role. It is built once
// per background (dark or light) by defaultStyles.
type styles struct {
	Title     lipgloss.Style
	Muted     lipgloss.Style
	Text      lipgloss.Style
	OK        lipgloss.Style
	Warn      lipgloss.Style
	Err       lipgloss.Style
	Info      lipgloss.Style
	Key       lipgloss.Style
	Value     lipgloss.Style
	Redacted  lipgloss.Style
	Selected  lipgloss.Style
	Cursor    lipgloss.Style
	TabActive lipgloss.Style
	Tab       lipgloss.Style
	Pane      lipgloss.Style
	PaneFocus lipgloss.Style
	Status    lipgloss.Style
	Menu      lipgloss.Style
	Heading   lipgloss.Style
	Match     lipgloss.Style
}

func defaultStyles(isDark bool) styles {
	ld := lipgloss.LightDark(isDark)
	fg := ld(lipgloss.Color("#1F2328"), lipgloss.Color("#E6EDF3"))
	muted := ld(lipgloss.Color("#57606A"), lipgloss.Color("#8B949E"))
	green := ld(lipgloss.Color("#1A7F37"), lipgloss.Color("#3FB950"))
	yellow := ld(lipgloss.Color("#9A6700"), lipgloss.Color("#D29922"))
	red := ld(lipgloss.Color("#CF222E"), lipgloss.Color("#F85149"))
	blue := ld(lipgloss.Color("#0969DA"), lipgloss.Color("#58A6FF"))
	accent := ld(lipgloss.Color("#8250DF"), lipgloss.Color("#BC8CFF"))
	selBg := ld(lipgloss.Color("#DDF4FF"), lipgloss.Color("#1F3A5F"))
	border := ld(lipgloss.Color("#D0D7DE"), lipgloss.Color("#30363D"))
	return styles{
		Title:     lipgloss.NewStyle().Bold(true).Foreground(accent),
		Muted:     lipgloss.NewStyle().Foreground(muted),
		Text:      lipgloss.NewStyle().Foreground(fg),
		OK:        lipgloss.NewStyle().Foreground(green).Bold(true),
		Warn:      lipgloss.NewStyle().Foreground(yellow).Bold(true),
		Err:       lipgloss.NewStyle().Foreground(red).Bold(true),
		Info:      lipgloss.NewStyle().Foreground(blue),
		Key:       lipgloss.NewStyle().Foreground(muted),
		Value:     lipgloss.NewStyle().Foreground(fg),
		Redacted:  lipgloss.NewStyle().Foreground(muted).Italic(true),
		Selected:  lipgloss.NewStyle().Background(selBg).Bold(true),
		Cursor:    lipgloss.NewStyle().Foreground(accent).Bold(true),
		TabActive: lipgloss.NewStyle().Bold(true).Foreground(accent).Underline(true),
		Tab:       lipgloss.NewStyle().Foreground(muted),
		Pane:      lipgloss.NewStyle().Border(lipgloss.NormalBorder()).BorderForeground(border),
		PaneFocus: lipgloss.NewStyle().Border(lipgloss.ThickBorder()).BorderForeground(accent), // thick: focus shows without colour too
		Status:    lipgloss.NewStyle().Foreground(muted),
		Menu:      lipgloss.NewStyle().Border(lipgloss.RoundedBorder()).BorderForeground(accent).Padding(0, 1),
		Heading:   lipgloss.NewStyle().Bold(true).Foreground(fg),
		Match:     lipgloss.NewStyle().Foreground(yellow),
	}
}
