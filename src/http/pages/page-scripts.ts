// Small page-script pieces that more than one hosted page uses. Plain ES2017 strings, no dependencies;
// words come from the page (data attributes), never from here.

/**
 * Copy buttons: `<button data-copy="value" data-copied="Copied">Copy</button>` copies the value and
 * says so for a moment. The clipboard API needs a secure context; the textarea fallback covers http.
 */
export const COPY_BUTTONS_SCRIPT = `
document.addEventListener("click",function(e){
  var b=e.target.closest&&e.target.closest("[data-copy]");if(!b)return;
  var v=b.getAttribute("data-copy"),label=b.textContent;
  var done=function(){b.textContent=b.getAttribute("data-copied")||label;setTimeout(function(){b.textContent=label},1500)};
  if(navigator.clipboard&&navigator.clipboard.writeText)navigator.clipboard.writeText(v).then(done,done);
  else{var t=document.createElement("textarea");t.value=v;document.body.appendChild(t);t.select();try{document.execCommand("copy")}catch(_){}t.remove();done();}
});`;

/**
 * A countdown in `#countdown` (mm:ss, h:mm:ss past an hour) to `S.expiresAt` on the server's clock
 * (`S.serverNow` gives the offset), calling `S.onZero` once when it reaches zero.
 */
export const COUNTDOWN_SCRIPT = `
(function(){
var el=document.getElementById("countdown");if(!el||!S.expiresAt)return;
var offset=Date.parse(S.serverNow)-Date.now(),end=Date.parse(S.expiresAt),fired=false;
function pad(n){return n<10?"0"+n:""+n}
function tick(){
  var left=Math.max(0,Math.floor((end-(Date.now()+offset))/1000)),h=Math.floor(left/3600),m=Math.floor(left%3600/60);
  el.textContent=(h>0?h+":"+pad(m):pad(m))+":"+pad(left%60);
  el.setAttribute("data-left",String(left));
  if(left===0&&!fired){fired=true;if(S.onZero)S.onZero();}
}
tick();setInterval(tick,1000);
})();`;
