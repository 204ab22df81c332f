/* Wall display (/orupdate?kiosk=1, #16): when the rows do not fit, move on by one screen every 20 s; after the
   last screen go back to the top and rest there one period. `window.USINT_WALL_ADVANCE_MS` overrides the period. */
(function () {
    function period() { return window.USINT_WALL_ADVANCE_MS || 20000; }
    function step() {
        const viewport = document.querySelector('.board-grid-kiosk .ag-body-viewport');
        if (viewport) {
            const room = viewport.scrollHeight - viewport.clientHeight;
            if (room > 1) {
                const atEnd = viewport.scrollTop >= room - 1;
                // One screen less a row, so the last row of a screen is the first of the next.
                viewport.scrollTop = atEnd ? 0 : Math.min(room, viewport.scrollTop + viewport.clientHeight - 52);
            }
        }
        window.setTimeout(step, period());
    }
    window.setTimeout(step, period());
})();
