"""Style gallery: thumbnails with names, "Original" first, a filter box, keyboard navigation.

The list model holds style ids in `ID_ROLE`; "" is Original. Filtering goes through a proxy model so
the selection survives typing in the search box whenever the selected style still matches.
"""

from __future__ import annotations

from PySide6.QtCore import (
    QEvent,
    QItemSelectionModel,
    QModelIndex,
    QRect,
    QSize,
    QSortFilterProxyModel,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QIcon, QPixmap, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QAbstractItemView, QLineEdit, QListView, QStyle, QVBoxLayout, QWidget

from vst_desktop.ui.common.icons import original_thumbnail
from vst_desktop.ui.common.qt_workarounds import emit

ID_ROLE = Qt.ItemDataRole.UserRole + 1
SEARCH_ROLE = Qt.ItemDataRole.UserRole + 2
ORIGINAL_ID = ""
_THUMB = 96


def _style_item(style_id: str, name: str, pixmap: QPixmap, tooltip: str, search_text: str) -> QStandardItem:
    item = QStandardItem(QIcon(pixmap), name)
    item.setData(style_id, ID_ROLE)
    item.setData(search_text.lower(), SEARCH_ROLE)
    item.setToolTip(tooltip)
    item.setEditable(False)
    item.setTextAlignment(Qt.AlignmentFlag.AlignHCenter)
    return item


def _thumbnail(path) -> QPixmap:
    pm = QPixmap(str(path)) if path else QPixmap()
    if pm.isNull():  # a package may lack its thumbnail; a blank tile beats a broken layout
        pm = QPixmap(_THUMB, _THUMB)
        pm.fill(Qt.GlobalColor.darkGray)
    return pm


class StyleGallery(QWidget):
    """Emits `style_selected(id)` when the person picks a style (by mouse, keyboard or `select_id`)."""

    style_selected = Signal(str)
    styles_changed = Signal()  # set_styles filled the list anew (recommendations re-measure)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._model = QStandardItemModel(self)
        self._proxy = QSortFilterProxyModel(self)
        self._proxy.setSourceModel(self._model)
        self._proxy.setFilterRole(SEARCH_ROLE)
        self._proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self._names: dict[str, str] = {}
        self._models: dict[str, str] = {}  # style id -> its ONNX file, for the live thumbnails
        self._fixed: dict[str, QIcon] = {}  # the icons the styles ship with
        self._live: dict[str, QIcon] = {}  # icons painted on the current frame; kept across a reload
        self._current = ORIGINAL_ID

        self.search = QLineEdit(self)
        self.search.setPlaceholderText("Search styles")
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self._on_filter)

        self.view = QListView(self)
        self.view.setModel(self._proxy)
        self.view.setViewMode(QListView.ViewMode.IconMode)
        self.view.setIconSize(QSize(_THUMB, _THUMB))
        self.view.setGridSize(QSize(_THUMB + 24, _THUMB + 48))
        self.view.installEventFilter(self)
        self.view.setResizeMode(QListView.ResizeMode.Adjust)
        self.view.setMovement(QListView.Movement.Static)
        self.view.setWordWrap(True)
        self.view.setTextElideMode(Qt.TextElideMode.ElideNone)  # wrap long names onto a second line
        self.view.setUniformItemSizes(False)  # a long name takes two lines; uniform sizes would clip it
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.view.selectionModel().currentChanged.connect(self._on_current_changed)

        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(6)
        lay.addWidget(self.search)
        lay.addWidget(self.view, 1)

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 - Qt override
        if obj is self.view and event.type() == QEvent.Type.Resize:
            self._fit_grid()
        return super().eventFilter(obj, event)

    def _fit_grid(self) -> None:
        """Share the width evenly between the columns that fit, so the tiles fill the panel."""
        # From the view's outer width with room for a scroll bar always reserved: otherwise a scroll bar
        # appearing narrows the viewport, drops a column, adds rows and keeps itself there.
        scroll = self.view.style().pixelMetric(QStyle.PixelMetric.PM_ScrollBarExtent)
        width = self.view.width() - 2 * self.view.frameWidth() - scroll - 16
        columns = max(1, width // (_THUMB + 12))
        self.view.setGridSize(QSize(width // columns, _THUMB + 48))

    # ---- content ----
    def set_styles(self, packages: list) -> None:
        """Replace the list with Original + `packages` (StylePackage objects), keeping the selection."""
        keep = self._current
        self._model.clear()
        self._names = {ORIGINAL_ID: "Original"}
        self._models = {ORIGINAL_ID: ""}
        self._model.appendRow(_style_item(ORIGINAL_ID, "Original", original_thumbnail(),
                                          "The camera image without a style", "original none"))
        for pkg in packages:
            meta = pkg.meta
            where = "built-in" if pkg.builtin else "your style"
            tip = f"<b>{meta.name}</b> ({where})<br>{meta.description}" if meta.description else meta.name
            self._names[pkg.id] = meta.name
            self._models[pkg.id] = str(getattr(pkg, "onnx_path", "") or "")  # "": no live tile
            self._model.appendRow(_style_item(pkg.id, meta.name, _thumbnail(pkg.png_path), tip,
                                              f"{meta.name} {pkg.id} {meta.description}"))
        self._fixed = {self._model.item(r).data(ID_ROLE): self._model.item(r).icon()
                       for r in range(self._model.rowCount())}
        self._live = {k: v for k, v in self._live.items() if k in self._names}
        for style_id, icon in self._live.items():
            self._item(style_id).setIcon(icon)
        self.select_id(keep if keep in self._names else ORIGINAL_ID, notify=keep not in self._names)
        emit(self.styles_changed)

    def style_ids(self) -> list[str]:
        return [self._model.item(r).data(ID_ROLE) for r in range(self._model.rowCount())]

    def visible_ids(self) -> list[str]:
        return [self._proxy.index(r, 0).data(ID_ROLE) for r in range(self._proxy.rowCount())]

    def name_of(self, style_id: str) -> str:
        return self._names.get(style_id, style_id)

    def current_id(self) -> str:
        return self._current

    def tile_rect(self, style_id: str) -> QRect:
        """Where the style's tile is, in the view's viewport coordinates; empty when the filter hides it."""
        return self.view.visualRect(self._proxy_index_of(style_id))

    # ---- live thumbnails ----
    def model_path(self, style_id: str) -> str:
        """The style's ONNX file; "" for Original (and for an unknown id)."""
        return self._models.get(style_id, "")

    def ids_in_view_first(self) -> list[str]:
        """Every style id: the tiles on screen now first, then the ones scrolled away or filtered out."""
        area = self.view.viewport().rect()
        shown = [idx.data(ID_ROLE) for idx in (self._proxy.index(r, 0) for r in range(self._proxy.rowCount()))
                 if self.view.visualRect(idx).intersects(area)]
        return shown + [sid for sid in self.style_ids() if sid not in shown]

    def _item(self, style_id: str) -> QStandardItem:
        return next(item for item in (self._model.item(r) for r in range(self._model.rowCount()))
                    if item.data(ID_ROLE) == style_id)

    def set_live_icon(self, style_id: str, pixmap: QPixmap) -> None:
        if style_id in self._names:
            self._live[style_id] = QIcon(pixmap)
            self._item(style_id).setIcon(self._live[style_id])

    def restore_fixed_icons(self) -> None:
        for style_id in list(self._live):
            self._item(style_id).setIcon(self._fixed[style_id])
        self._live.clear()

    def icon_of(self, style_id: str) -> QIcon:
        return self._item(style_id).icon()

    def fixed_icon_of(self, style_id: str) -> QIcon:
        """The thumbnail the style ships with: what its tile shows when live thumbnails are off."""
        return self._fixed[style_id]

    # ---- selection ----
    def _proxy_index_of(self, style_id: str) -> QModelIndex:
        for r in range(self._proxy.rowCount()):
            idx = self._proxy.index(r, 0)
            if idx.data(ID_ROLE) == style_id:
                return idx
        return QModelIndex()

    def select_id(self, style_id: str, notify: bool = True) -> bool:
        """Select a style by id; False when it is unknown (e.g. removed since the settings were saved)."""
        if style_id not in self._names:
            return False
        idx = self._proxy_index_of(style_id)
        changed = style_id != self._current
        self._current = style_id
        if idx.isValid():
            self.view.selectionModel().blockSignals(True)
            self.view.selectionModel().setCurrentIndex(idx, QItemSelectionModel.SelectionFlag.ClearAndSelect)
            self.view.selectionModel().blockSignals(False)
            self.view.scrollTo(idx)
            # At start-up the icon grid is laid out after this call, which left the selected thumbnail half
            # scrolled out of view: scroll again once the layout is done.
            QTimer.singleShot(0, self._scroll_to_current)
            self.view.viewport().update()
        if notify and changed:
            emit(self.style_selected, style_id)
        return True

    def _scroll_to_current(self) -> None:
        idx = self._proxy_index_of(self._current)
        if idx.isValid():
            self.view.scrollTo(idx, QAbstractItemView.ScrollHint.EnsureVisible)

    def select_next(self, step: int) -> None:
        """Previous (-1) / next (+1) among the visible styles, wrapping around."""
        ids = self.visible_ids()
        if not ids:
            return
        pos = ids.index(self._current) if self._current in ids else -1 if step > 0 else 0
        self.select_id(ids[(pos + step) % len(ids)])

    def _on_current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if not current.isValid():
            return
        style_id = current.data(ID_ROLE)
        if style_id != self._current:
            self._current = style_id
            self.view.selectionModel().select(current, QItemSelectionModel.SelectionFlag.ClearAndSelect)
            emit(self.style_selected, style_id)

    def _on_filter(self, text: str) -> None:
        self._proxy.setFilterFixedString(text.strip().lower())
        idx = self._proxy_index_of(self._current)
        if idx.isValid():
            self.view.selectionModel().blockSignals(True)
            self.view.selectionModel().setCurrentIndex(idx, QItemSelectionModel.SelectionFlag.ClearAndSelect)
            self.view.selectionModel().blockSignals(False)
