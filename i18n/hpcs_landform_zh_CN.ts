<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
  <context>
    <name>ChannelExtraction</name>
    <message>
      <source>No channel break found: the log-log slopes of D(T) only steepen with T, so Otsu's split is not a hillslope/channel break; check the channels on a hillshade or use 'Fixed'.</source>
      <translation>未找到水文沟道断点：D(T) 的双对数斜率只随 T 增大而变陡，因此 OTSU 划分并非坡面/水文沟道断点；请在山体阴影图上检查水文沟道，或采用“固定值”。</translation>
    </message>
    <message>
      <source>No ridge break found: the log-log slopes of D(T) only steepen with T, so Otsu's split is not a hillslope/ridge break; check the ridges on a hillshade or use 'Fixed'.</source>
      <translation>未找到分水岭断点：D(T) 的双对数斜率只随 T 增大而变陡，因此 OTSU 划分并非坡面/分水岭断点；请在山体阴影图上检查分水岭，或采用“固定值”。</translation>
    </message>
    <message>
      <source>DEM (elevation in metres, projected CRS)</source>
      <translation>DEM（高程，单位 m，投影坐标系）</translation>
    </message>
    <message>
      <source>Band</source>
      <translation>波段</translation>
    </message>
    <message>
      <source>Threshold method</source>
      <translation>阈值方法</translation>
    </message>
    <message>
      <source>Ridge threshold (cells, used by 'Fixed')</source>
      <translation>分水岭阈值（栅格数，用于“固定值”）</translation>
    </message>
    <message>
      <source>Channel threshold used (cells)</source>
      <translation>采用的水文沟道阈值（栅格数）</translation>
    </message>
    <message>
      <source>Ridge threshold used (cells)</source>
      <translation>采用的分水岭阈值（栅格数）</translation>
    </message>
    <message>
      <source>catchment</source>
      <translation>汇水子区</translation>
    </message>
    <message>
      <source>Weak channel break: the log-log slopes of D(T) differ by only {0:.3f} between Otsu's two classes (a hillslope/channel break: 0.15 or more), so the density curve is one power law within noise and the threshold of {1:g} cells is not set by the terrain: it moves with the DEM's extent and cell size. Give a DEM reaching further around the mine, or use 'Fixed'.</source>
      <translation>水文沟道断点较弱：D(T) 的双对数斜率在 OTSU 两类之间仅相差 {0:.3f}（坡面/水文沟道断点一般为 0.15 以上），因此密度曲线在噪声范围内为单一幂律，{1:g} 个栅格的阈值并非由地形决定，而会随 DEM 的范围与栅格尺寸变化。请提供覆盖矿区周边更大范围的 DEM，或采用“固定值”。</translation>
    </message>
    <message>
      <source>Weak ridge break: the log-log slopes of D(T) differ by only {0:.3f} between Otsu's two classes (a hillslope/ridge break: 0.15 or more), so the ridge threshold of {1:g} cells is not set by the terrain. Give a DEM reaching further around the mine, or use 'Fixed'.</source>
      <translation>分水岭断点较弱：D(T) 的双对数斜率在 OTSU 两类之间仅相差 {0:.3f}（坡面/分水岭断点一般为 0.15 以上），因此 {1:g} 个栅格的分水岭阈值并非由地形决定。请提供覆盖矿区周边更大范围的 DEM，或采用“固定值”。</translation>
    </message>
    <message>
      <source>ridge</source>
      <translation>分水岭</translation>
    </message>
    <message>
      <source>Channel threshold: {0:g} cells ({1:g} m2); ridge threshold: {2:g} cells; {3} channel links.</source>
      <translation>水文沟道阈值：{0:g} 个栅格（{1:g} m2）；分水岭阈值：{2:g} 个栅格；沟道段 {3} 条。</translation>
    </message>
    <message>
      <source>channel</source>
      <translation>水文沟道</translation>
    </message>
    <message>
      <source>Channel and ridge extraction (OTSU)</source>
      <translation>水文沟道与分水岭提取（OTSU）</translation>
    </message>
    <message>
      <source>Extracts the runoff channels and the ridges (watershed lines) of a DEM, the first step of the HPCS model (Xia et al. 2023, section 1.1.2).

The DEM (elevations in metres, projected CRS in metres) is depression-filled (priority-flood spill surface), flats are given a drainage gradient (Barnes et al. 2014), and every cell drains to its steepest D8 neighbour (drop / distance, real cell width and height; ties to the first of E, SE, S, SW, W, NW, N, NE). Edge cells and cells next to nodata drain out of the grid.

Channels are the cells whose flow accumulation (cells, the cell itself included) reaches the channel threshold; ridges are the channels of the inverted DEM (max - z) with their own threshold.

Threshold method:
- Otsu (scaling break), the paper's: channel density D(T) is computed for thresholds T on a geometric series (10 a decade, from 5 cells to 0.003 x the largest contributing area, so the same areas at any cell size); log D against log T has a steeper hillslope regime and a shallower fractal channel regime, and Otsu's criterion splits the local log-log slopes (fitted over 0.2 decade either side) into the two regimes. The threshold is the break, a contributing area of the terrain.
- Otsu (histogram): Otsu's threshold on the histogram of log accumulation.
- Fixed: the two thresholds given below, in cells (CHANNEL_THRESHOLD, blank for the other methods, must then be given).

Outputs: the filled DEM, flow directions in ESRI codes (1 E, 2 SE, 4 S, 8 SW, 16 W, 32 NW, 64 N, 128 NE, 0 drains out of the grid), accumulation, channel and ridge masks (1/0), and catchments (one id per channel link; every cell carries the id of the link it drains to, 0 if it leaves the grid before reaching a channel). The thresholds used are reported as numbers.</source>
      <translation>提取 DEM 的径流水文沟道与分水岭（分水线），这是 HPCS 模型的第一步（Xia 等，2023，第 1.1.2 节）。

DEM（高程单位 m，米制投影坐标系）经填洼（优先洪泛溢出面），平坦区赋予排水坡度（Barnes 等，2014），每个栅格流向其最陡的 D8 邻域栅格（落差 / 距离，采用实际栅格宽度与高度；坡度相同时取 E、SE、S、SW、W、NW、N、NE 中的第一个）。边缘栅格及与无数据相邻的栅格流出网格。

水文沟道为汇流累积量（栅格数，含栅格自身）达到水文沟道阈值的栅格；分水岭为反转 DEM（max - z）的水文沟道，采用其自身的阈值。

阈值方法：
- OTSU 法（尺度断点），即论文方法：对按几何级数取值的阈值 T（每个数量级 10 个，从 5 个栅格到最大汇水面积的 0.003 倍，因此在任何栅格尺寸下对应相同的面积）计算沟道密度 D(T)；log D 对 log T 呈现较陡的坡面段与较缓的分形沟道段，OTSU 准则将局部双对数斜率（在两侧各 0.2 个数量级范围内拟合）划分为这两段。阈值即该断点，是地形的一个汇水面积。
- OTSU 法（直方图）：对汇流累积量对数的直方图求 OTSU 阈值。
- 固定值：采用下面给出的两个阈值，以栅格数计（此时必须给出 CHANNEL_THRESHOLD，其他方法下留空）。

输出：填洼 DEM、ESRI 编码的流向（1 E、2 SE、4 S、8 SW、16 W、32 NW、64 N、128 NE，0 流出网格）、汇流累积量、水文沟道与分水岭掩膜（1/0），以及汇水子区（每个沟道段一个编号；每个栅格取其所汇入沟道段的编号，在到达水文沟道前流出网格者为 0）。采用的阈值以数值输出。</translation>
    </message>
    <message>
      <source>Otsu (scaling break)</source>
      <translation>OTSU 法（尺度断点）</translation>
    </message>
    <message>
      <source>Otsu (histogram)</source>
      <translation>OTSU 法（直方图）</translation>
    </message>
    <message>
      <source>Fixed</source>
      <translation>固定值</translation>
    </message>
    <message>
      <source>Depression-filled DEM</source>
      <translation>填洼 DEM</translation>
    </message>
    <message>
      <source>Channels (1/0)</source>
      <translation>水文沟道（1/0）</translation>
    </message>
    <message>
      <source>Ridges (1/0)</source>
      <translation>分水岭（1/0）</translation>
    </message>
  </context>
  <context>
    <name>ClassifyCells</name>
    <message>
      <source>Cells per class:</source>
      <translation>各类别栅格数：</translation>
    </message>
    <message>
      <source>Reshaping area (polygons)</source>
      <translation>重塑区（面图层）</translation>
    </message>
    <message>
      <source>Reshaping area as a raster mask (non-zero = inside; instead of the polygons)</source>
      <translation>重塑区栅格掩膜（非零 = 区内；替代面图层）</translation>
    </message>
    <message>
      <source>Channels (1/0)</source>
      <translation>水文沟道（1/0）</translation>
    </message>
    <message>
      <source>Ridges (1/0)</source>
      <translation>分水岭（1/0）</translation>
    </message>
    <message>
      <source>Cell classes</source>
      <translation>栅格类别</translation>
    </message>
    <message>
      <source>No channel enters the area from outside: there is no fixed channel to keep.</source>
      <translation>没有水文沟道从区外流入重塑区：不存在需保留的固定流域栅格。</translation>
    </message>
    <message>
      <source>The area touches {0} catchments.</source>
      <translation>重塑区涉及 {0} 个汇水子区。</translation>
    </message>
    <message>
      <source>Cells of class {0:g} ({1})</source>
      <translation>类别 {0:g}（{1}）的栅格数</translation>
    </message>
    <message>
      <source>Hydrological cell classification</source>
      <translation>水文栅格分类</translation>
    </message>
    <message>
      <source>Classifies the cells of the reshaping area (the dump) into the classes of the HPCS model (Xia et al. 2023, section 1.1.2, Fig. 3(a)), whose codes are those of the paper's equations 1 to 5:
0 other (eq. 5, interpolated), 1 fixed channel and 1.5 confluence (eq. 1, kept at the pre-mining DEM), 2 semi-fixed channel (eq. 2), 3 watershed (eq. 3), 4 floating channel (eq. 4), 5 boundary = every cell outside the area (eq. 1).

Inputs: the pre-mining DEM (elevation in metres, projected CRS in metres), the reshaping area as a polygon layer (AREA, cells whose centre is inside) or as a raster mask on the DEM's grid (AREA_RASTER, non-zero = inside; give one of the two), and the outputs of 'Channel and ridge extraction': flow directions (ESRI D8 codes), channels and ridges (1/0) and, optionally, catchments (only used to report how many catchments the area touches). All rasters must be on the DEM's grid.

Rules (the plugin's reading of the paper, docs/method.md section 2):
- fixed: a channel cell of the area with a channel cell outside the area upstream (the channel enters the area from outside and leaves it);
- confluence: a fixed cell into which a non-fixed channel of the area drains;
- semi-fixed: a non-fixed channel cell of the area whose flow path, after the non-fixed channel cells, reaches a confluence or leaves the area (one anchored end);
- floating: the other channel cells of the area (no anchored end: the path ends inside the area, e.g. it leaves the DEM or drains into nodata there);
- watershed: a ridge cell of the area that is not a channel cell.

Output: the class raster (Float32, styled with the class names) and the number of cells of each class, in the log and as numbers.</source>
      <translation>将重塑区（内排土场）的栅格划分为 HPCS 模型的各类水文栅格（Xia 等，2023，第 1.1.2 节，图 3(a)），类别编码与论文式 1 至式 5 对应：
0 其他栅格（式 5，插值求解），1 固定流域栅格与 1.5 交汇栅格（式 1，保持采前 DEM 高程），2 半固定流域栅格（式 2），3 分水岭栅格（式 3），4 浮动流域栅格（式 4），5 边界栅格 = 重塑区外的所有栅格（式 1）。

输入：采前 DEM（高程单位 m，米制投影坐标系）；重塑区，可为面图层（AREA，栅格中心位于面内者）或 DEM 网格上的栅格掩膜（AREA_RASTER，非零 = 区内；二者给出其一）；以及“水文沟道与分水岭提取”的输出：流向（ESRI D8 编码）、水文沟道与分水岭（1/0），以及可选的汇水子区（仅用于报告重塑区涉及的汇水子区数）。所有栅格须位于 DEM 的栅格网格上。

规则（本插件对论文的解读，见 docs/method.md 第 2 节）：
- 固定流域栅格：重塑区内的水文沟道栅格，其上游有位于区外的水文沟道栅格（沟道从区外流入并流出重塑区）；
- 交汇栅格：有区内非固定沟道汇入的固定流域栅格；
- 半固定流域栅格：区内非固定的水文沟道栅格，其流路在经过非固定沟道栅格后到达交汇栅格或流出重塑区（一端有锚点）；
- 浮动流域栅格：区内其余水文沟道栅格（无锚定端：流路在区内终止，如在该处流出 DEM 或汇入无数据区）；
- 分水岭栅格：区内非水文沟道栅格的分水岭栅格。

输出：类别栅格（Float32，按类别名称设置样式），以及各类别的栅格数（写入日志并以数值输出）。</translation>
    </message>
    <message>
      <source>Cells of class 0 (other)</source>
      <translation>类别 0（其他栅格）的栅格数</translation>
    </message>
    <message>
      <source>Cells of class 1 (fixed channel)</source>
      <translation>类别 1（固定流域栅格）的栅格数</translation>
    </message>
    <message>
      <source>Cells of class 1.5 (confluence)</source>
      <translation>类别 1.5（交汇栅格）的栅格数</translation>
    </message>
    <message>
      <source>Cells of class 2 (semi-fixed channel)</source>
      <translation>类别 2（半固定流域栅格）的栅格数</translation>
    </message>
    <message>
      <source>Cells of class 3 (watershed)</source>
      <translation>类别 3（分水岭栅格）的栅格数</translation>
    </message>
    <message>
      <source>Cells of class 4 (floating channel)</source>
      <translation>类别 4（浮动流域栅格）的栅格数</translation>
    </message>
    <message>
      <source>Cells of class 5 (boundary)</source>
      <translation>类别 5（边界栅格）的栅格数</translation>
    </message>
  </context>
  <context>
    <name>ComparisonReport</name>
    <message>
      <source>Landform names, comma-separated in layer order (blank = layer names)</source>
      <translation>地貌名称，按图层顺序以逗号分隔（留空 = 图层名）</translation>
    </message>
    <message>
      <source>Landforms on the optimized plan: names containing (comma-separated)</source>
      <translation>采用优化方案的地貌：名称包含（逗号分隔）</translation>
    </message>
    <message>
      <source>Erosion model</source>
      <translation>侵蚀模型</translation>
    </message>
    <message>
      <source>Erosion table of 'Soil erosion comparison' (CSV; optional, replaces the erosion run)</source>
      <translation>“土壤水蚀对比”的侵蚀表（CSV；可选，代替侵蚀模拟）</translation>
    </message>
    <message>
      <source>Platform level per strip of the traditional landform (CSV: period, level_m; optional)</source>
      <translation>传统地貌逐条带的平台高程（CSV：period、level_m；可选）</translation>
    </message>
    <message>
      <source>Comparison report</source>
      <translation>对比报告</translation>
    </message>
    <message>
      <source>HTML files (*.html)</source>
      <translation>HTML 文件 (*.html)</translation>
    </message>
    <message>
      <source>Comparison table</source>
      <translation>对比表</translation>
    </message>
    <message>
      <source>CSV files (*.csv)</source>
      <translation>CSV 文件 (*.csv)</translation>
    </message>
    <message>
      <source>PNL's flow directions and accumulation: taken from FLOWDIR and ACCUMULATION, not routed again</source>
      <translation>PNL 的流向与汇流累积量：取自 FLOWDIR 与 ACCUMULATION，不再重复汇流演算</translation>
    </message>
    <message>
      <source>The sub-area layer has no fields v_supply, v_fmin and v_fmax: the volumes section is left out.</source>
      <translation>子区图层没有 v_supply、v_fmin 和 v_fmax 字段：报告中省略土方量部分。</translation>
    </message>
    <message>
      <source>Taken from the evaluation steps: {0}</source>
      <translation>取自评价步骤：{0}</translation>
    </message>
    <message>
      <source>Landform {0}: {1} plan</source>
      <translation>地貌 {0}：{1} 方案</translation>
    </message>
    <message>
      <source>Report: {0}</source>
      <translation>报告：{0}</translation>
    </message>
    <message>
      <source>Landform comparison report</source>
      <translation>地貌对比报告</translation>
    </message>
    <message>
      <source>One self-contained HTML report (and a CSV with the same numbers) comparing reshaped landforms with the pristine landform, as section 2.3 of Xia et al. (2023): volumes and supply-demand per period, mean slope, hydrological fusion rate (with and without the final pit), channel overlap, catchments and channel length, mean haul distance and eroded volume, hillshade/channel and catchment figures of every landform side by side, the paper's figures, and per criterion which landform wins and by how much.

Inputs (one grid, metres, projected CRS): the pristine landform (PNL, pre-mining DEM); the reshaped landforms (e.g. NNDL, MNNDL, TDL), named after their layers or by LANDFORM_NAMES (comma-separated, in the order of the layers); the seam floor and the coal thickness (for the haul distance; without both it is not computed); the sub-area layer of 'Mining/refilling sub-area delineation' (fields period, kind; plan, v_supply, v_fmin, v_fmax, ratio, status for the volumes section).

Which plan each landform uses: a layer with both plans (field plan = original / optimized) gives the optimized strips to every landform whose name contains one of OPTIMIZED_NAMES (comma-separated, case-insensitive; default 'MNNDL, optim'), the original strips to the others (NNDL, TDL). A layer with one plan serves all. The plan decides the strips of the fusion rate (S_b, eq. 10-12), the final pit and the mining/refilling pairs of the haul distance (eq. 13). The log and the report show the plan of every landform.

Criteria (computed by the plugin's evaluation algorithms' functions): mean Horn slope over the evaluation area (lower is better); fusion rate and fusion rate without the pit (higher); channel overlap with PNL in the dump (higher; channels = accumulation &gt;= CHANNEL_THRESHOLD cells, blank = OTSU threshold of PNL); catchments and channel length in the dump (closer to PNL's is better); mean haul distance with K and BENCH_HEIGHT as in 'Mean earthwork haul distance' (lower); eroded volume over YEARS with EROSION_MODEL at the default parameters of 'Soil erosion comparison' (lower), or read from that algorithm's CSV (EROSION_TABLE, column landform = the landform names) to reuse a run with other parameters. The evaluation area for the slope and the erosion is EVALUATION_AREA, or, blank, the dump (the union of the refilling strips).

Winner: the best reshaped landform per criterion (PNL is the reference, shown beside); the margin is the difference to the runner-up, absolute and in per cent of the runner-up's value (for 'closer to PNL': the difference of the distances, in per cent of PNL's value). Fractions are shown in per cent, their margins in percentage points.

Design quality: for PNL, dem_min and dem_max (SURFACE_MIN / SURFACE_MAX, optional) and every landform, over the interior of the evaluation area, the spikes (cells off their 3 x 3 median by more than tan 25 deg x cell size), the mean Horn slope and the centre-inclusive step slope; sum V_fmax / sum V_fmin per plan; the platform level of every refilling strip of the landform named TDL (from TDL_LEVELS, a CSV with columns period and level_m, or the mean of the raster over each strip); a 3-D perspective view of PNL and every landform (the same view and vertical exaggeration).

Nothing twice in a model: FUSION_TABLES and CHANNEL_CLASSES (the table and channel raster of 'Hydrological fusion rate' per landform), HAUL_TABLES ('Mean earthwork haul distance') and EROSION_TABLE ('Soil erosion comparison') replace the report's own computation of those criteria; whatever is not given is computed here. With both fusion inputs no landform is routed again, and the catchment maps are replaced by the fusion step's shared / lost / new channels. FLOWDIR and ACCUMULATION (the outputs of 'Channel and ridge extraction' on the pre-mining DEM, as 'Hydrological fusion rate' takes them) replace the report's own routing of PNL (the same rasters, not computed again); blank, PNL is routed here.</source>
      <translation>生成一个独立的 HTML 报告（及含相同数值的 CSV），按 Xia 等（2023）第 2.3 节将重塑地貌与原始自然地貌进行对比：各周期土方量与供需、平均坡度、水文融合率（含与不含最终矿坑影响）、水文沟道空间重叠率、汇水子区与水文沟道长度、土方平均运距与侵蚀体积、各地貌并列的山体阴影/水文沟道图与汇水子区图、论文中的图，以及各评价指标的最优地貌及其领先幅度。

输入（同一栅格网格，单位 m，投影坐标系）：原始自然地貌（PNL，采前 DEM）；重塑地貌（如 NNDL、MNNDL、TDL），以图层名或 LANDFORM_NAMES（按图层顺序以逗号分隔）命名；煤层底板与煤层厚度（用于运距；二者缺一则不计算运距）；“采复子区划定”输出的子区图层（字段 period、kind；土方量部分还需 plan、v_supply、v_fmin、v_fmax、ratio、status）。

各地貌采用的方案：若图层含两种方案（字段 plan = original / optimized），名称包含 OPTIMIZED_NAMES 之一（逗号分隔，不区分大小写；默认“MNNDL, optim”）的地貌采用优化方案条带，其余地貌（NNDL、TDL）采用原始方案条带。仅含一种方案的图层用于所有地貌。方案决定水文融合率的条带（S_b，式 10-12）、最终矿坑以及运距的开采/复填条带配对（式 13）。日志与报告中列出每个地貌的方案。

评价指标（由本插件各评价算法的函数计算）：评价区内的平均 Horn 坡度（越低越好）；水文融合率与排除矿坑影响的水文融合率（越高越好）；内排土场内与 PNL 的水文沟道空间重叠率（越高越好；水文沟道 = 汇流累积量 ≥ CHANNEL_THRESHOLD 个栅格，留空 = PNL 的 OTSU 阈值）；内排土场内的汇水子区数与水文沟道长度（越接近 PNL 越好）；按“土方平均运距”中的 K 与 BENCH_HEIGHT 计算的土方平均运距（越低越好）；以“土壤水蚀对比”的默认参数，用 EROSION_MODEL 计算 YEARS 年的侵蚀体积（越低越好），或读取该算法输出的 CSV（EROSION_TABLE，landform 列 = 地貌名称），以复用采用其他参数的模拟结果。坡度与侵蚀的评价区为 EVALUATION_AREA，留空时为内排土场（复填条带的并集）。

最优地貌：各评价指标下最好的重塑地貌（PNL 为参照，并列显示）；领先幅度为与第二名之差，以绝对值及占第二名数值的百分比表示（对“越接近 PNL 越好”的指标：为距离之差，以占 PNL 数值的百分比表示）。比率以百分数显示，其领先幅度以百分点表示。

设计质量：对 PNL、dem_min 与 dem_max（SURFACE_MIN / SURFACE_MAX，可选）及每个地貌，在评价区内部统计尖峰栅格（与其 3 x 3 邻域中值之差大于 tan 25° x 栅格尺寸的栅格）、平均 Horn 坡度与含中心栅格的单步坡度；各方案的 sum V_fmax / sum V_fmin；名为 TDL 的地貌各复填条带的平台高程（取自 TDL_LEVELS，含 period 与 level_m 列的 CSV，或取各条带内栅格的均值）；PNL 与各地貌的三维透视图（相同视角与垂直夸大）。

模型中不重复计算：FUSION_TABLES 与 CHANNEL_CLASSES（各地貌“水文融合率”的表与水文沟道栅格）、HAUL_TABLES（“土方平均运距”）和 EROSION_TABLE（“土壤水蚀对比”）代替报告自身对这些指标的计算；未提供的指标在此计算。两项融合输入均提供时不再对任何地貌进行汇流演算，汇水子区图由融合步骤的共有 / 消失 / 新增水文沟道图代替。FLOWDIR 与 ACCUMULATION（“水文沟道与分水岭提取”在采前 DEM 上的输出，与“水文融合率”所用的相同）代替报告自身对 PNL 的汇流演算（栅格相同，不再重复计算）；留空则在此对 PNL 进行汇流演算。</translation>
    </message>
    <message>
      <source>Landscape evolution</source>
      <translation>景观演化</translation>
    </message>
    <message>
      <source>RUSLE</source>
      <translation>RUSLE（修正通用土壤流失方程）</translation>
    </message>
    <message>
      <source>Fusion-rate tables of 'Hydrological fusion rate' (CSV, one per landform in layer order; optional, replace the fusion and channel computation)</source>
      <translation>“水文融合率”的融合率表（CSV，每个地貌一个，按图层顺序；可选，代替水文融合率与水文沟道的计算）</translation>
    </message>
    <message>
      <source>Channel rasters (shared/lost/new) of 'Hydrological fusion rate' (one per landform in layer order; optional)</source>
      <translation>“水文融合率”的水文沟道栅格（共有/消失/新增；每个地貌一个，按图层顺序；可选）</translation>
    </message>
    <message>
      <source>Haul tables of 'Mean earthwork haul distance' (CSV, one per landform in layer order; optional, replace the haul computation)</source>
      <translation>“土方平均运距”的运距表（CSV，每个地貌一个，按图层顺序；可选，代替运距计算）</translation>
    </message>
  </context>
  <context>
    <name>CutFill</name>
    <message>
      <source>Surface A (reference, e.g. the pre-mining DEM)</source>
      <translation>表面 A（参照面，如采前 DEM）</translation>
    </message>
    <message>
      <source>Surface B (e.g. a landform)</source>
      <translation>表面 B（如某一地貌）</translation>
    </message>
    <message>
      <source>Tolerance band (m)</source>
      <translation>容差带（m）</translation>
    </message>
    <message>
      <source>Difference B - A (m)</source>
      <translation>差值 B - A（m）</translation>
    </message>
    <message>
      <source>Cut/fill table</source>
      <translation>挖填方表</translation>
    </message>
    <message>
      <source>CSV files (*.csv)</source>
      <translation>CSV 文件 (*.csv)</translation>
    </message>
    <message>
      <source>Cut {0:.6g} m3, fill {1:.6g} m3, net (cut - fill) {2:.6g} m3 over {3} cells.</source>
      <translation>挖方 {0:.6g} m3，填方 {1:.6g} m3，净方量（挖方 - 填方）{2:.6g} m3，共 {3} 个栅格。</translation>
    </message>
    <message>
      <source>Cut/fill volumes</source>
      <translation>挖填方量</translation>
    </message>
    <message>
      <source>Cut, fill and net volumes between two surfaces on one grid (metres, projected CRS), as Carlson Natural Regrade's 'Update Cut/Fill' reports them.

D = SURFACE_B - SURFACE_A per cell (e.g. A = pre-mining DEM, B = a landform). Fill = sum of the positive D times the cell area (B above A), cut = sum of -D where D is negative, net = cut - fill (m3), over the cells of EVALUATION_AREA (optional polygons; blank = everywhere) where both surfaces have data. The volumes count every cell; TOLERANCE (m) only classifies the cells with |D| up to TOLERANCE as neutral (grey in the difference raster, 'within tolerance' in the table). The difference raster is styled red (cut) to blue (fill). The CSV table lists cut, fill, net, the variance of cut to fill (100 (cut - fill) / fill, Carlson's balance check), the cut, fill and neutral areas and the volumes beyond the tolerance.</source>
      <translation>计算同一栅格网格上两个表面（单位 m，投影坐标系）之间的挖方、填方与净方量，与 Carlson Natural Regrade 的“Update Cut/Fill”报告方式一致。

逐栅格计算 D = SURFACE_B - SURFACE_A（如 A = 采前 DEM，B = 某一地貌）。填方 = 正 D 之和乘以栅格面积（B 高于 A），挖方 = D 为负处 -D 之和，净方量 = 挖方 - 填方（m3），统计范围为 EVALUATION_AREA（可选的面；留空 = 全部范围）内两表面均有数据的栅格。方量统计所有栅格；TOLERANCE（m）仅用于将 |D| 不超过 TOLERANCE 的栅格归为中性（差值栅格中显示为灰色，表中为“容差内”）。差值栅格以红色（挖方）到蓝色（填方）设置样式。CSV 表列出挖方、填方、净方量、挖填方偏差（100 (挖方 - 填方) / 填方，即 Carlson 的平衡检查）、挖方、填方与中性区面积，以及超出容差的方量。</translation>
    </message>
    <message>
      <source>Cut (m3)</source>
      <translation>挖方量（m3）</translation>
    </message>
    <message>
      <source>Fill (m3)</source>
      <translation>填方量（m3）</translation>
    </message>
    <message>
      <source>Net, cut - fill (m3)</source>
      <translation>净方量，挖方 - 填方（m3）</translation>
    </message>
  </context>
  <context>
    <name>DamageDegree</name>
    <message>
      <source>Indicator rasters (same grid)</source>
      <translation>指标栅格（同一栅格网格）</translation>
    </message>
    <message>
      <source>Directions, one per raster: worse / better (empty = all worse)</source>
      <translation>指标方向，每个栅格一个：worse / better（留空 = 全部为 worse）</translation>
    </message>
    <message>
      <source>Weights, one per raster, summing to 1 (empty = equal)</source>
      <translation>权重，每个栅格一个，总和为 1（留空 = 等权）</translation>
    </message>
    <message>
      <source>Normalisation</source>
      <translation>标准化方法</translation>
    </message>
    <message>
      <source>Breaks none/slight, slight/severe, severe/extremely severe (empty = natural breaks)</source>
      <translation>分级断点：无/轻度、轻度/重度、重度/极重度（留空 = 自然断点）</translation>
    </message>
    <message>
      <source>Category field (e.g. open-pit / underground / natural)</source>
      <translation>类别字段（如露天 / 井工 / 自然）</translation>
    </message>
    <message>
      <source>Damage degree (1 none .. 4 extremely severe)</source>
      <translation>损毁程度（1 无损毁 .. 4 极重度）</translation>
    </message>
    <message>
      <source>Damage score D (0-1)</source>
      <translation>损毁得分 D（0-1）</translation>
    </message>
    <message>
      <source>Area of each degree by category</source>
      <translation>按类别统计的各损毁程度面积</translation>
    </message>
    <message>
      <source>Breaks used</source>
      <translation>采用的断点</translation>
    </message>
    <message>
      <source>Parameter INDICATORS: give at least one indicator raster.</source>
      <translation>参数 INDICATORS：请至少提供一个指标栅格。</translation>
    </message>
    <message>
      <source>Breaks ({0}): {1}</source>
      <translation>断点（{0}）：{1}</translation>
    </message>
    <message>
      <source>  {0}: higher is {1}, weight {2:g}</source>
      <translation>  {0}：值越高越{1}，权重 {2:g}</translation>
    </message>
    <message>
      <source>worse</source>
      <translation>差</translation>
    </message>
    <message>
      <source>better</source>
      <translation>好</translation>
    </message>
    <message>
      <source>Parameter INDICATORS: '{0}' is not a raster file; give GeoTIFF rasters GDAL can read.</source>
      <translation>参数 INDICATORS：“{0}”不是栅格文件；请提供 GDAL 可读取的 GeoTIFF 栅格。</translation>
    </message>
    <message>
      <source>Land damage degree</source>
      <translation>土地损毁程度</translation>
    </message>
    <message>
      <source>Degree of land damage of a mining area - none, slight, severe, extremely severe - and the area share of each degree by mining type, after the paste-filling / DFN paper (section 3.2, Fig. 2: extremely severe damage covers 56.44 % of open-pit areas against 5.61 % of underground ones).

Indicator rasters: one or more rasters on the same grid, e.g. the damage index, vegetation coverage, desertification / rocky desertification and soil erosion. For each, in the order of the list:
- Directions: 'worse' when a higher value means more damage (damage index, desertification, erosion), 'better' when it means less (vegetation coverage); comma-separated, e.g. 'worse, better, worse, worse'. Empty = all 'worse'.
- Weights: comma-separated, summing to 1 (tolerance 1e-6), e.g. '0.4, 0.2, 0.2, 0.2'. Empty = equal weights.
The log lists each raster with its direction and weight; check the order there.

Score (0 = no damage .. 1 = worst), over the cells where every indicator has data:
    s_k = (x - min) / (max - min) for 'worse', (max - x) / (max - min) for 'better'
    D = sum_k w_k s_k
With normalisation 'None' the indicators are taken as already scored 0..1 and a 'better' indicator becomes 1 - x. A constant indicator scores 0.5 with min-max.

Degrees, with three breaks b1, b2, b3 (default 0.25, 0.5, 0.75): 1 none for D up to b1, 2 slight above b1 up to b2, 3 severe above b2 up to b3, 4 extremely severe above b3. Empty breaks = natural breaks (Jenks) of D.

Zones (optional polygons) with a category field (e.g. 'open-pit', 'underground', 'natural'): the polygons of one category are merged. The CSV table has one row per category and a row 'ALL' (the whole raster): cells, area (m2), area with data, the area (m2) of each degree and its share (% of the area with data). Without a category field each polygon is its own category. A cell counts when its centre is inside.</source>
      <translation>矿区土地损毁程度（无损毁、轻度、重度、极重度）以及按开采类型统计的各损毁程度面积占比，依据膏体充填 / DFN 论文（第 3.2 节，图 2：极重度损毁占露天开采区面积的 56.44 %，而井工开采区仅为 5.61 %）。

指标栅格：同一栅格网格上的一个或多个栅格，如损毁指数、植被覆盖度、沙漠化 / 石漠化程度与土壤侵蚀。按列表顺序，为每个栅格指定：
- 方向：值越高损毁越大时为“worse”（损毁指数、沙漠化、侵蚀），值越高损毁越小时为“better”（植被覆盖度）；以逗号分隔，如“worse, better, worse, worse”。留空 = 全部为“worse”。
- 权重：以逗号分隔，总和为 1（容差 1e-6），如“0.4, 0.2, 0.2, 0.2”。留空 = 等权。
日志中列出每个栅格及其方向与权重；请在日志中核对顺序。

得分（0 = 无损毁 .. 1 = 最严重），在所有指标均有数据的栅格上计算：
    s_k = (x - min) / (max - min)（“worse”），(max - x) / (max - min)（“better”）
    D = sum_k w_k s_k
标准化方法为“不标准化”时，视指标已为 0..1 的得分，“better”指标取 1 - x。采用最小-最大值标准化时，常数指标得分为 0.5。

损毁程度，由三个断点 b1、b2、b3（默认 0.25、0.5、0.75）划分：D 不超过 b1 为 1 无损毁，大于 b1 且不超过 b2 为 2 轻度，大于 b2 且不超过 b3 为 3 重度，大于 b3 为 4 极重度。断点留空 = D 的自然断点（Jenks）。

分区（可选的面）及类别字段（如“open-pit”、“underground”、“natural”）：同一类别的面合并统计。CSV 表每个类别一行，另有一行“ALL”（整个栅格）：栅格数、面积（m2）、有数据面积、各损毁程度的面积（m2）及其占比（占有数据面积的 %）。没有类别字段时，每个面单独作为一个类别。栅格中心位于面内的栅格计入该面。</translation>
    </message>
    <message>
      <source>Min-max over the area (0-1)</source>
      <translation>区域内最小-最大值标准化（0-1）</translation>
    </message>
    <message>
      <source>None (indicators already scored 0-1)</source>
      <translation>不标准化（指标已为 0-1 得分）</translation>
    </message>
  </context>
  <context>
    <name>DesignSensitivity</name>
    <message>
      <source>Pre-mining DEM (PNL; elevation in m, projected CRS)</source>
      <translation>采前 DEM（PNL；高程 m，投影坐标系）</translation>
    </message>
    <message>
      <source>Full grid of every combination (else one factor at a time)</source>
      <translation>全部组合的完整网格（否则每次只变动一个因子）</translation>
    </message>
    <message>
      <source>Runs at once (processes)</source>
      <translation>同时运行数（进程）</translation>
    </message>
    <message>
      <source>Every criterion per run (CSV)</source>
      <translation>每次运行的全部评价指标（CSV）</translation>
    </message>
    <message>
      <source>CSV files (*.csv)</source>
      <translation>CSV 文件 (*.csv)</translation>
    </message>
    <message>
      <source>Sensitivity report (HTML)</source>
      <translation>敏感性分析报告（HTML）</translation>
    </message>
    <message>
      <source>HTML files (*.html)</source>
      <translation>HTML 文件 (*.html)</translation>
    </message>
    <message>
      <source>Outputs and logs of every run (folder)</source>
      <translation>每次运行的输出与日志（文件夹）</translation>
    </message>
    <message>
      <source>Runs</source>
      <translation>运行次数</translation>
    </message>
    <message>
      <source>Failed runs</source>
      <translation>失败的运行次数</translation>
    </message>
    <message>
      <source>{0} pipeline runs, {1} at once, in {2}</source>
      <translation>{0} 次流程运行，同时运行 {1} 个，工作目录 {2}</translation>
    </message>
    <message>
      <source>{0}: base winner {1}; holds: {2}</source>
      <translation>{0}：基准方案最优地貌 {1}；在所有运行中是否保持不变：{2}</translation>
    </message>
    <message>
      <source>Run {0} failed: {1}</source>
      <translation>第 {0} 次运行失败：{1}</translation>
    </message>
    <message>
      <source>Design sensitivity of the landform comparison</source>
      <translation>地貌对比的设计敏感性分析</translation>
    </message>
    <message>
      <source>How much the comparison of NNDL, MNNDL and TDL depends on the inputs a planner is least sure of: runs the whole HPCS pipeline (hpcs:hpcs_pipeline) once per design point and compares every criterion of the comparison report across the runs.

Factors: k, the ratio of spoil to stripped volume (eq. 6); A_max, the maximum slope angle of the earthwork surfaces (degrees); the strip width (m); the channel threshold (cells; a run with a threshold uses the 'Fixed' method, with the same value for the ridges; the base case uses the pipeline's default Otsu threshold unless a base threshold is given). MINE_AREA, DIRECTION, K, A_MAX, STRIP_WIDTH and CHANNEL_THRESHOLD are the base case (the pipeline model's own default k is 1.05). Give the values to try for each factor as a list (e.g. '1.0, 1.1'); a blank list leaves the factor at the base. One at a time (default): the base case plus one run per listed value of one factor, the others at the base. Full grid: every combination (at most 64 runs).

The runs are separate qgis_process processes, at most PARALLEL at once (a run uses one core); cancelling stops them all. A run that fails (e.g. k too small for the plan: infeasible) is reported and left out; the base case must succeed.

Outputs: a CSV with one row per run (factors, status, every criterion of every landform, each criterion's winner), an HTML report with a tornado chart per criterion (per landform: the value at each factor's lowest setting below the base and its highest setting above it, against the base case) and a table saying whether each criterion's winner holds across all runs, and optionally the folder with every run's outputs and log.</source>
      <translation>分析 NNDL、MNNDL 与 TDL 的对比结果在多大程度上取决于规划者最不确定的输入：对每个设计点运行一次完整的 HPCS 流程（hpcs:hpcs_pipeline），并在各次运行之间比较对比报告的每个评价指标。

因子：k，实际土方量与剥离量之比（式 6）；A_max，土方重塑地貌的最大允许边坡角（度）；条带宽度（m）；水文沟道阈值（栅格数；给定阈值的运行采用“固定值”方法，分水岭取相同值；除非给出基准阈值，基准方案采用流程默认的 OTSU 阈值）。MINE_AREA、DIRECTION、K、A_MAX、STRIP_WIDTH 与 CHANNEL_THRESHOLD 构成基准方案（流程模型自身的 k 默认值为 1.05）。以列表形式给出每个因子的试算值（如“1.0, 1.1”）；列表留空则该因子保持基准值。每次变动一个因子（默认）：基准方案，加上某一因子每个列出值各一次运行，其他因子取基准值。完整网格：全部组合（最多 64 次运行）。

各次运行为独立的 qgis_process 进程，最多同时运行 PARALLEL 个（每次运行占用一个核）；取消时全部停止。失败的运行（如 k 过小导致方案不可行）会被报告并剔除；基准方案必须成功。

输出：CSV，每次运行一行（因子、状态、每个地貌的全部评价指标、各指标的最优地貌）；HTML 报告，含每个评价指标的龙卷风图（对每个地貌：各因子低于基准的最低取值与高于基准的最高取值下的指标值，与基准方案对照）以及说明各指标最优地貌在所有运行中是否保持不变的表；以及可选的文件夹，含每次运行的输出与日志。</translation>
    </message>
    <message>
      <source>k values to try (e.g. 1.0, 1.1)</source>
      <translation>k 的试算值（如 1.0, 1.1）</translation>
    </message>
    <message>
      <source>A_max values to try (degrees)</source>
      <translation>A_max 的试算值（度）</translation>
    </message>
    <message>
      <source>Strip widths to try (m)</source>
      <translation>条带宽度的试算值（m）</translation>
    </message>
    <message>
      <source>Channel thresholds to try (cells)</source>
      <translation>水文沟道阈值的试算值（栅格数）</translation>
    </message>
  </context>
  <context>
    <name>EarthworkSchedule</name>
    <message>
      <source>Earthwork schedule per period (CSV)</source>
      <translation>各周期土方施工计划（CSV）</translation>
    </message>
    <message>
      <source>CSV files (*.csv)</source>
      <translation>CSV 文件 (*.csv)</translation>
    </message>
    <message>
      <source>Earthwork schedule, every lift-to-lift step (CSV)</source>
      <translation>土方施工计划，逐分层调运步骤（CSV）</translation>
    </message>
    <message>
      <source>Mean haul distance (m)</source>
      <translation>土方平均运距（m）</translation>
    </message>
    <message>
      <source>Volume moved (m3)</source>
      <translation>调运土方量（m3）</translation>
    </message>
    <message>
      <source>Schedule: {0} periods, {1} steps, {2:.6g} m3 moved, mean haul {3:.2f} m.</source>
      <translation>施工计划：{0} 个周期，{1} 个步骤，调运 {2:.6g} m3，平均运距 {3:.2f} m。</translation>
    </message>
    <message>
      <source>Plan: {0}</source>
      <translation>方案：{0}</translation>
    </message>
    <message>
      <source>Earthwork schedule per period</source>
      <translation>各周期土方施工计划</translation>
    </message>
    <message>
      <source>The construction sequence of a landform: for every mining-refilling period, how much earth is moved from which mining strip to which refilling strip, in which lifts (elevations, m) and over what mean haul distance (m). It is the haul model of 'Mean earthwork haul distance' (Xia et al. 2023, eq. 13) written out as a schedule: the mining strip is stripped from its highest point down in lifts of the bench height (its overburden between the top of the coal and the pre-mining surface, times K, eq. 6), the refilling strip is built from its lowest floor point up in lifts of the bench height between the seam floor and the landform, and the two are paired in that order by cumulative volume; each step takes one piece of earth from one source lift to one destination lift, hauled the 3-D distance between the lifts' volume centres.

Inputs on one grid (metres, projected CRS): the pre-mining DEM, the seam floor, the coal thickness, the landform DEM and the sub-area layer of 'Mining/refilling sub-area delineation' (PLAN picks the optimized or the original strips: the plan the landform was built on).

Outputs: a CSV per period (mining and refilling strip, their position along the mining direction in m, volume moved and supply in m3, room in the refilling strip, the elevations stripped and built, number of lifts and steps, mean haul in m) with a last row 'all', and a CSV of every step in construction order (source lift and its elevations, destination lift and its elevations, volume, haul, cumulative volume of the period).</source>
      <translation>地貌的施工顺序：对每个采复周期，给出从哪个开采条带向哪个复填条带调运多少土方、按哪些分层（高程，m）以及平均运距（m）。它是“土方平均运距”的运距模型（Xia 等，2023，式 13）以施工计划形式的输出：开采条带自最高点起按台阶高度分层向下剥离（煤层顶面与采前地表之间的覆盖层，乘以 K，式 6），复填条带自底板最低点起按台阶高度分层向上回填，介于煤层底板与重塑地貌之间，两者按累计体积依次配对；每个步骤将一份土方从一个来源分层运至一个去向分层，运距为两分层体积中心之间的三维距离。

输入（同一栅格网格，单位 m，投影坐标系）：采前 DEM、煤层底板、煤层厚度、重塑地貌 DEM，以及“采复子区划定”输出的子区图层（由 PLAN 选择优化方案或原始方案的条带：即构建该地貌所依据的方案）。

输出：逐周期的 CSV（开采条带与复填条带、其沿开采方向的位置 m、调运量与可用土方量 m3、复填条带容量、剥离与回填的高程、分层数与步骤数、平均运距 m），最后一行为“all”；以及按施工顺序列出每个步骤的 CSV（来源分层及其高程、去向分层及其高程、体积、运距、该周期累计体积）。</translation>
    </message>
  </context>
  <context>
    <name>EarthworkSurfaces</name>
    <message>
      <source>Slope-limit the surfaces (no step steeper than A_max or the natural ground)</source>
      <translation>对表面进行坡度限制（任何单步都不陡于 A_max 或自然地面）</translation>
    </message>
    <message>
      <source>Percentile of the natural angles for the automatic semi-fixed angles (10 = 10th and 90th; 0 = extremes)</source>
      <translation>自动确定半固定流域沟道坡角时采用的自然坡角百分位数（10 = 第 10 与第 90 百分位；0 = 极值）</translation>
    </message>
    <message>
      <source>pre-mining DEM</source>
      <translation>采前 DEM</translation>
    </message>
    <message>
      <source>Cell classes (hpcs:classifycells)</source>
      <translation>栅格类别（hpcs:classifycells）</translation>
    </message>
    <message>
      <source>Interpolation of the other cells (eq. 5)</source>
      <translation>其他栅格的插值方法（式 5）</translation>
    </message>
    <message>
      <source>Sweeps n (blank = the paper's rule)</source>
      <translation>插值次数 n（留空 = 论文规则）</translation>
    </message>
    <message>
      <source>SWEEPS is used only with the interpolation 'Paper (n sweeps)'; the converged surface ignores it.</source>
      <translation>SWEEPS 仅用于“论文方法（n 次插值）”插值方法；收敛解忽略该参数。</translation>
    </message>
    <message>
      <source>A_max {0:g} deg; A_min {1:.3f} to {2:.3f} deg; semi-fixed channels {3:.3f} deg (max surface) and {4:.3f} deg (min surface).</source>
      <translation>A_max {0:g}°；A_min {1:.3f}° 至 {2:.3f}°；半固定流域沟道坡角 {3:.3f}°（最大土方地貌）和 {4:.3f}°（最小土方地貌）。</translation>
    </message>
    <message>
      <source>Eq. 5: {0} sweeps of the 3 x 3 mean (paper's rule: {1}).</source>
      <translation>式 5：3 x 3 均值插值 {0} 次（论文规则：{1} 次）。</translation>
    </message>
    <message>
      <source>Eq. 5: converged harmonic surface (the paper's rule would use {0} sweeps).</source>
      <translation>式 5：收敛的调和曲面（论文规则将插值 {0} 次）。</translation>
    </message>
    <message>
      <source>dem_min was lowered to dem_max on {0} cells where eq. 3 or 4 put it higher.</source>
      <translation>在 {0} 个栅格上式 3 或式 4 得出的 dem_min 高于 dem_max，已将 dem_min 降至 dem_max。</translation>
    </message>
    <message>
      <source>Slope limit: {0} cells of dem_max and {1} of dem_min changed so that no step rises more than tan(A_max) x its length (or the natural ground's rise where steeper).</source>
      <translation>坡度限制：修改了 dem_max 的 {0} 个栅格和 dem_min 的 {1} 个栅格，使任何单步的升高都不超过 tan(A_max) x 步长（自然地面更陡处则不超过自然地面的升高）。</translation>
    </message>
    <message>
      <source>{0} semi-fixed cells have no known anchor along these flow directions; they were solved as floating cells. Were the classes computed from the same flow directions?</source>
      <translation>{0} 个半固定流域栅格沿这些流向找不到已知的锚点，已按浮动流域栅格求解。栅格类别是否由同一流向计算得到？</translation>
    </message>
    <message>
      <source>Design quality over the area (spike: off the 3 x 3 median by more than {0:.2f} m): </source>
      <translation>区域内的设计质量（尖峰：与 3 x 3 邻域中值之差大于 {0:.2f} m）：</translation>
    </message>
    <message>
      <source>{0} {1} spikes, mean slope Horn {2:.2f} deg, step {3:.2f} deg</source>
      <translation>{0} 尖峰栅格 {1} 个，平均 Horn 坡度 {2:.2f}°，单步坡度 {3:.2f}°</translation>
    </message>
    <message>
      <source>Minimum and maximum earthwork surfaces</source>
      <translation>最小与最大土方重塑地貌</translation>
    </message>
    <message>
      <source>Solves the maximum (dem_max) and minimum (dem_min) earthwork surfaces of the HPCS model (Xia et al. 2023, section 1.1.2, eq. 1 to 5): every near-natural landform of the dump should lie between them. Both equal the DEM outside the reshaping area.

Inputs: the pre-mining DEM (metres, projected CRS), the cell classes of 'Hydrological cell classification', and the flow directions (ESRI D8) and catchments of 'Channel and ridge extraction', all on the DEM's grid. Angles are in degrees.

Order of Fig. 3(b): eq. 1: fixed, confluence and boundary cells keep the DEM. eq. 2: each semi-fixed channel keeps the shape of its profile but its drop from the channel head o to the anchor c (the confluence, or the first cell outside the area) becomes L(o, c) tan A, L the flow-path length in metres; A = SEMI_A_MAX for dem_max and SEMI_A_MIN for dem_min. The head of a cell is the source of the longest semi-fixed flow path through it. eq. 3: a watershed cell looks at every catchment in its 3 x 3 window, takes the nearest known cell of that catchment (distance L in metres, elevation h): dem_max = min(h + L tan A_MAX), dem_min = max(h + L tan A_MIN). eq. 4: a floating channel cell does the same with watershed cells known, downward: dem_max = min(h - L tan A_MIN), dem_min = max(h - L tan A_MAX). Where these put dem_min above dem_max, dem_min is lowered to dem_max. eq. 5: the other cells of the area start at the DEM and take the mean of their 3 x 3 window, repeated n times, all other cells held ('Paper (n sweeps)'), or the converged limit of that mean, the discrete harmonic surface, by a sparse solve ('Converged', the default). The paper asks for at least n sweeps (n &gt;= twice the largest distance in cells from a fixed channel cell to its nearest watershed cell); at that bound the sweeps are far from their limit (on the demo site up to 34 m at 25 m cells and 84 m at 12.5 m cells), so the surfaces would depend on the cell size. The converged surface is the limit that every n at or above the bound tends to.

Slope limit (LIMIT_SLOPES, on by default): equations 2 to 4 fix line values cell by cell, and where two of them, or one and a fixed cell, disagree by more than the slope allows, eq. 5 would only smooth around a spike. So after each of eq. 2, 3 and 4 the held cells, and after eq. 5 every cell of the area, are limited: no step between neighbouring cells may rise more than tan(A_MAX) x its length (10 m cells and 25 deg: 4.66 m, 6.59 m on a diagonal), or than the pre-mining DEM rises there where it is steeper, so that fixed cells always agree among themselves and natural slopes steeper than A_MAX stay possible. dem_max becomes the largest surface below the equations' values that obeys the limit (a held cell that stands too high is lowered), dem_min the smallest above them (a cell that sinks too low is raised); both also stay within what the fixed cells allow, and dem_min stays at or below dem_max. Fixed, confluence and boundary cells never change. A_MAX is the bound of both surfaces because it is the steepest slope either is built with: dem_max rises from the known cells at A_MAX (eq. 3), dem_min falls to the floating channels at A_MAX (eq. 4). Untick it for the paper's equations alone.

Automatic values (leave blank): A_MAX 25 (the standard); A_MIN per cell, the smallest mean slope angle of the catchments in the cell's window (pre-mining DEM, Horn's slope; a cell without one takes the PERCENTILE-th percentile of the catchment means); SEMI_A_MAX / SEMI_A_MIN the (100 - PERCENTILE)-th / PERCENTILE-th percentile (default 10: the 90th and 10th) of the head-to-anchor slope angles of the natural semi-fixed channels of the area and of the first-order channels (head to first junction) around it in the catchments it touches (angles of 0 or less, pits and flats of the DEM, left out), SEMI_A_MAX at most A_MAX: robust extremes, so that one near-flat channel does not flatten every channel of dem_min (PERCENTILE 0 takes the single smallest and largest); SWEEPS twice the largest distance in cells from a fixed channel cell to its nearest watershed cell (the paper's rule). Every angle and n used is reported as a number output.

Design quality (number outputs and log) over the reshaping area, for the pre-mining DEM, dem_min and dem_max: spikes, cells whose elevation differs from the median of their 3 x 3 window by more than tan(A_MAX) x cell size; the mean Horn slope; the mean step slope, which includes the centre cell (the angle of the mean of its four one-cell steps).</source>
      <translation>求解 HPCS 模型的最大（dem_max）与最小（dem_min）土方重塑地貌（Xia 等，2023，第 1.1.2 节，式 1 至式 5）：内排土场的任何近自然地貌都应介于二者之间。重塑区外二者均等于 DEM。

输入：采前 DEM（单位 m，投影坐标系）、“水文栅格分类”输出的栅格类别，以及“水文沟道与分水岭提取”输出的流向（ESRI D8）与汇水子区，均位于 DEM 的栅格网格上。角度单位为度。

按图 3(b) 的顺序：式 1：固定流域栅格、交汇栅格与边界栅格保持 DEM 高程。式 2：每条半固定流域沟道保持其纵剖面形态，但其从沟头 o 至锚点 c（交汇栅格，或区外第一个栅格）的落差变为 L(o, c) tan A，L 为以米计的流路长度；dem_max 取 A = SEMI_A_MAX，dem_min 取 A = SEMI_A_MIN。栅格的沟头为经过该栅格的最长半固定流路的源头。式 3：分水岭栅格考察其 3 x 3 窗口中的每个汇水子区，取该汇水子区最近的已知栅格（距离 L，以米计，高程 h）：dem_max = min(h + L tan A_MAX)，dem_min = max(h + L tan A_MIN)。式 4：浮动流域栅格以已知的分水岭栅格按同样方法向下计算：dem_max = min(h - L tan A_MIN)，dem_min = max(h - L tan A_MAX)。若由此得出的 dem_min 高于 dem_max，则将 dem_min 降至 dem_max。式 5：区内其他栅格以 DEM 为初值，取其 3 x 3 窗口的均值，重复 n 次，其余栅格保持不变（“论文方法（n 次插值）”），或以稀疏求解得到该均值迭代的收敛极限，即离散调和曲面（“收敛解”，默认）。论文要求至少插值 n 次（n ≥ 固定流域沟道栅格至其最近分水岭栅格最大距离（以栅格计）的两倍）；在该下限处插值结果远未达到其极限（在示例场地上，25 m 栅格时相差可达 34 m，12.5 m 栅格时可达 84 m），因此表面将取决于栅格尺寸。收敛解即所有不小于该下限的 n 所趋近的极限。

坡度限制（LIMIT_SLOPES，默认启用）：式 2 至式 4 逐栅格确定沿线的数值，当其中两者之间或其一与固定栅格之间的差异超过坡度所允许的范围时，式 5 只会在尖峰周围进行平滑。因此在式 2、3、4 各步之后对保持不变的栅格、在式 5 之后对区内所有栅格施加限制：相邻栅格之间的任何单步升高都不得超过 tan(A_MAX) x 步长（10 m 栅格、25°：4.66 m，对角线 6.59 m），或在采前 DEM 更陡处不得超过其升高，从而使固定栅格之间始终相互协调，并允许保留陡于 A_MAX 的自然坡面。dem_max 取为方程值以下满足该限制的最高表面（过高的保持栅格被降低），dem_min 取为方程值以上满足该限制的最低表面（过低的栅格被抬高）；二者均不超出固定栅格所允许的范围，且 dem_min 始终不高于 dem_max。固定流域栅格、交汇栅格与边界栅格从不改变。A_MAX 之所以作为两个表面的限值，是因为它是二者构建时采用的最陡坡度：dem_max 从已知栅格以 A_MAX 升高（式 3），dem_min 以 A_MAX 降至浮动流域沟道（式 4）。取消勾选则仅采用论文中的方程。

自动取值（留空）：A_MAX 为 25（标准值）；A_MIN 逐栅格取该栅格窗口中各汇水子区平均坡角的最小值（采前 DEM，Horn 坡度；窗口中无汇水子区的栅格取各汇水子区均值的第 PERCENTILE 百分位数）；SEMI_A_MAX / SEMI_A_MIN 取区内自然半固定流域沟道以及其所涉及汇水子区中周边一级沟道（沟头至第一个交汇点）的沟头至锚点坡角的第 (100 - PERCENTILE) / 第 PERCENTILE 百分位数（默认 10：即第 90 与第 10 百分位；剔除 0 或更小的坡角，即 DEM 中的洼地与平地），SEMI_A_MAX 不超过 A_MAX：这是稳健的极值，使一条近乎平坦的沟道不会拉平 dem_min 的所有沟道（PERCENTILE 取 0 时采用单个最小值与最大值）；SWEEPS 取固定流域沟道栅格至其最近分水岭栅格的最大距离（以栅格计）的两倍（论文规则）。所有采用的角度与 n 均以数值输出报告。

设计质量（数值输出与日志），在重塑区内对采前 DEM、dem_min 与 dem_max 统计：尖峰栅格，即高程与其 3 x 3 窗口中值之差大于 tan(A_MAX) x 栅格尺寸的栅格；平均 Horn 坡度；平均单步坡度，含中心栅格（其四个单栅格步长坡度均值的角度）。</translation>
    </message>
    <message>
      <source>A_min, natural catchment slope angle (degrees; blank = automatic)</source>
      <translation>A_min，自然汇水子区边坡角（度；留空 = 自动）</translation>
    </message>
    <message>
      <source>Semi-fixed channel angle, maximum surface (degrees; blank = automatic)</source>
      <translation>半固定流域沟道坡角，最大土方地貌（度；留空 = 自动）</translation>
    </message>
    <message>
      <source>Semi-fixed channel angle, minimum surface (degrees; blank = automatic)</source>
      <translation>半固定流域沟道坡角，最小土方地貌（度；留空 = 自动）</translation>
    </message>
    <message>
      <source>Paper (n sweeps)</source>
      <translation>论文方法（n 次插值）</translation>
    </message>
    <message>
      <source>Converged</source>
      <translation>收敛解</translation>
    </message>
    <message>
      <source>A_max used (degrees)</source>
      <translation>采用的 A_max（度）</translation>
    </message>
    <message>
      <source>A_min used, smallest over the cells (degrees)</source>
      <translation>采用的 A_min，各栅格中的最小值（度）</translation>
    </message>
    <message>
      <source>A_min used, largest over the cells (degrees)</source>
      <translation>采用的 A_min，各栅格中的最大值（度）</translation>
    </message>
    <message>
      <source>Semi-fixed channel angle of the maximum surface (degrees)</source>
      <translation>最大土方地貌的半固定流域沟道坡角（度）</translation>
    </message>
    <message>
      <source>Semi-fixed channel angle of the minimum surface (degrees)</source>
      <translation>最小土方地貌的半固定流域沟道坡角（度）</translation>
    </message>
    <message>
      <source>Sweeps n used by eq. 5 (0 = converged solve)</source>
      <translation>式 5 采用的插值次数 n（0 = 收敛求解）</translation>
    </message>
    <message>
      <source>Sweeps n by the paper's rule</source>
      <translation>论文规则给出的插值次数 n</translation>
    </message>
    <message>
      <source>Cells where dem_min was lowered to dem_max</source>
      <translation>dem_min 被降至 dem_max 的栅格数</translation>
    </message>
    <message>
      <source>Cells of the area whose dem_max the slope limit changed</source>
      <translation>坡度限制修改了 dem_max 的区内栅格数</translation>
    </message>
    <message>
      <source>Cells of the area whose dem_min the slope limit changed</source>
      <translation>坡度限制修改了 dem_min 的区内栅格数</translation>
    </message>
    <message>
      <source>Spikes of the pre-mining DEM in the area (cells off their 3 x 3 median by more than tan(A_max) x cell)</source>
      <translation>区内采前 DEM 的尖峰栅格数（与 3 x 3 邻域中值之差大于 tan(A_max) x 栅格尺寸的栅格）</translation>
    </message>
    <message>
      <source>Spikes of dem_min in the area</source>
      <translation>区内 dem_min 的尖峰栅格数</translation>
    </message>
    <message>
      <source>Spikes of dem_max in the area</source>
      <translation>区内 dem_max 的尖峰栅格数</translation>
    </message>
    <message>
      <source>Mean Horn slope of the pre-mining DEM in the area (degrees)</source>
      <translation>区内采前 DEM 的平均 Horn 坡度（度）</translation>
    </message>
    <message>
      <source>Mean Horn slope of dem_min in the area (degrees)</source>
      <translation>区内 dem_min 的平均 Horn 坡度（度）</translation>
    </message>
    <message>
      <source>Mean Horn slope of dem_max in the area (degrees)</source>
      <translation>区内 dem_max 的平均 Horn 坡度（度）</translation>
    </message>
    <message>
      <source>Mean step slope (centre cell included) of the pre-mining DEM in the area (degrees)</source>
      <translation>区内采前 DEM 的平均单步坡度（含中心栅格）（度）</translation>
    </message>
    <message>
      <source>Mean step slope (centre cell included) of dem_min in the area (degrees)</source>
      <translation>区内 dem_min 的平均单步坡度（含中心栅格）（度）</translation>
    </message>
    <message>
      <source>Mean step slope (centre cell included) of dem_max in the area (degrees)</source>
      <translation>区内 dem_max 的平均单步坡度（含中心栅格）（度）</translation>
    </message>
  </context>
  <context>
    <name>ErosionComparison</name>
    <message>
      <source>Buffer around the area and sub-areas that is simulated (m)</source>
      <translation>模拟范围在统计区域与子区外围的缓冲距离（m）</translation>
    </message>
    <message>
      <source>Erosion model</source>
      <translation>侵蚀模型</translation>
    </message>
    <message>
      <source>RUSLE K raster (optional, replaces the number)</source>
      <translation>RUSLE K 栅格（可选，代替数值）</translation>
    </message>
    <message>
      <source>RUSLE C, cover management</source>
      <translation>RUSLE C，覆盖与管理因子</translation>
    </message>
    <message>
      <source>RUSLE C raster (optional, replaces the number)</source>
      <translation>RUSLE C 栅格（可选，代替数值）</translation>
    </message>
    <message>
      <source>RUSLE P, support practice</source>
      <translation>RUSLE P，水土保持措施因子</translation>
    </message>
    <message>
      <source>Bulk density (t/m3)</source>
      <translation>土壤容重（t/m3）</translation>
    </message>
    <message>
      <source>Erosion table</source>
      <translation>侵蚀表</translation>
    </message>
    <message>
      <source>CSV files (*.csv)</source>
      <translation>CSV 文件 (*.csv)</translation>
    </message>
    <message>
      <source>Erosion report</source>
      <translation>侵蚀报告</translation>
    </message>
    <message>
      <source>HTML files (*.html)</source>
      <translation>HTML 文件 (*.html)</translation>
    </message>
    <message>
      <source>Folder for the evolved DEMs and change rasters</source>
      <translation>演化后 DEM 与高程变化栅格的输出文件夹</translation>
    </message>
    <message>
      <source>Simulated window: {0} x {1} cells of the {2} x {3} grid (rows {4}-{5}, columns {6}-{7}).</source>
      <translation>模拟窗口：{2} x {3} 栅格网格中的 {0} x {1} 个栅格（第 {4}-{5} 行，第 {6}-{7} 列）。</translation>
    </message>
    <message>
      <source>{0} landform(s), model {1}, {2:g} years; reference: {3}</source>
      <translation>{0} 个地貌，模型 {1}，{2:g} 年；参照：{3}</translation>
    </message>
    <message>
      <source>{0}: eroded {1:.6g} m3, deposited {2:.6g} m3, exported {3:.6g} m3, {4:.4g} t/ha/yr, rank {5}</source>
      <translation>{0}：侵蚀 {1:.6g} m3，沉积 {2:.6g} m3，输出 {3:.6g} m3，{4:.4g} t/ha/yr，排名 {5}</translation>
    </message>
    <message>
      <source>Soil erosion comparison</source>
      <translation>土壤水蚀对比</translation>
    </message>
    <message>
      <source>Compares the soil erosion of several landforms over a number of years, as the HPCS paper does with the CLiDE model (Xia et al. 2023, section 1.4, Table 2, Fig. 14).

Landforms: elevation rasters in metres (projected CRS in metres), all on one grid, e.g. PNL, NNDL, MNNDL, TDL; each is named after its layer. The FIRST landform is the reference (the pristine landform, PNL) of the per-strip 'minus reference' curves (Fig. 14). Erosion is summed inside the EVALUATION_AREA polygon (the dump). As the paper simulates the dump with 1000 m of its surroundings, the models run on a window: the bounding box of the area and sub-areas widened by the buffer (m, default 1000) on every side, clipped to the grid; the window's edge is base level, like the grid edge. A buffer larger than the grid simulates the whole grid. Sub-areas (optional): the refilling strips, a layer with fields 'period' and 'kind' (features with kind = 'refilling', one value per period, as written by the sub-area delineation; of a layer holding both plans, the optimized one); without those fields, one value per feature id.

Model 'Landscape evolution' (per time step): D8 routing on the depression-filled current surface; discharge Q = runoff x contributing area, unit discharge q = Q / cell width; stream-power incision E = K q^m S^n solved implicitly along the flow tree (Braun &amp; Willett 2013; stable for any step); deposition d = V Qs / Q of the sediment flux Qs (Davy &amp; Lague 2009; V = 0: detachment-limited); linear hillslope diffusion dh/dt = D laplacian(h). Grid edges and cells next to nodata are fixed base level. Cross-checked against Landlab's FastscapeEroder + LinearDiffuser.
Model 'RUSLE': A = R K LS C P (t/ha/yr), LS from the unit contributing area and the slope (Desmet &amp; Govers 1996, McCool's S and m), a static annual average; no deposition (deposited = 0, exported = eroded).

Defaults are for fresh spoil under semi-natural grassland (sources in the plugin's docs/method.md, section 6): K = 5e-4 (for q in m2/yr), m = 0.5, n = 1, runoff 0.05 m/yr, D = 0.01 m2/yr, V = 0.05 m/yr; R = 300 MJ mm/(ha h yr), K = 0.04 t ha h/(ha MJ mm), C = 0.04, P = 1, bulk density 1.5 t/m3. Set the site's values.

Outputs: a CSV table (landform, eroded, deposited and exported volume in m3 inside the area over the run, mean soil loss t/ha/yr = eroded x bulk density / area / years, rank 1 = least eroded); an HTML report with the table, a bar chart of the eroded volumes (Table 2) and, with sub-areas, each landform's net loss per strip minus the reference's (Fig. 14); a folder with, per landform, the evolved DEM and the elevation change (m, negative = erosion) on the simulated window, styled, and strips.csv.</source>
      <translation>对比若干地貌在若干年内的土壤侵蚀，与 HPCS 论文采用 CLiDE 模型的做法相同（Xia 等，2023，第 1.4 节，表 2，图 14）。

地貌：以米为单位的高程栅格（米制投影坐标系），全部位于同一栅格网格上，如 PNL、NNDL、MNNDL、TDL；各地貌以其图层名命名。第一个地貌为逐条带“减去参照”曲线（图 14）的参照（原始自然地貌 PNL）。侵蚀量在 EVALUATION_AREA 面（内排土场）内求和。由于论文连同内排土场周边 1000 m 一起模拟，模型在一个窗口上运行：统计区域与子区的外包矩形向各边扩展缓冲距离（m，默认 1000），并裁剪至栅格网格范围；窗口边缘与网格边缘一样为侵蚀基准面。缓冲距离大于网格时模拟整个网格。子区（可选）：复填条带，即含 'period' 与 'kind' 字段的图层（取 kind = 'refilling' 的要素，每个周期一个值，与采复子区划定的输出一致；若图层同时包含两种方案，则取优化方案）；若无这些字段，则每个要素 id 一个值。

模型“景观演化”（每个时间步长）：在填洼后的当前表面上进行 D8 汇流；流量 Q = 径流 x 汇水面积，单宽流量 q = Q / 栅格宽度；河流功率下切 E = K q^m S^n，沿流向树隐式求解（Braun &amp; Willett 2013；任意步长均稳定）；沉积 d = V Qs / Q，Qs 为输沙通量（Davy &amp; Lague 2009；V = 0：分离限制）；线性坡面扩散 dh/dt = D laplacian(h)。网格边缘及与无数据相邻的栅格为固定的侵蚀基准面。已与 Landlab 的 FastscapeEroder + LinearDiffuser 交叉验证。
模型“RUSLE”：A = R K LS C P（t/ha/yr），LS 由单位汇水面积与坡度计算（Desmet &amp; Govers 1996，McCool 的 S 与 m），为静态年均值；不计沉积（沉积 = 0，输出 = 侵蚀）。

默认值适用于半自然草地覆盖下的新鲜排土（来源见插件 docs/method.md 第 6 节）：K = 5e-4（q 单位为 m2/yr），m = 0.5，n = 1，径流 0.05 m/yr，D = 0.01 m2/yr，V = 0.05 m/yr；R = 300 MJ mm/(ha h yr)，K = 0.04 t ha h/(ha MJ mm)，C = 0.04，P = 1，土壤容重 1.5 t/m3。请设置场地的实际值。

输出：CSV 表（地貌，运行期内区域内的侵蚀、沉积与输出体积 m3，平均土壤流失量 t/ha/yr = 侵蚀量 x 土壤容重 / 面积 / 年数，排名 1 = 侵蚀最少）；HTML 报告，含该表、侵蚀体积柱状图（表 2），以及有子区时各地貌逐条带净流失量减去参照值的曲线（图 14）；一个文件夹，内含各地貌在模拟窗口上的演化后 DEM 与高程变化（m，负值 = 侵蚀，已设置样式）以及 strips.csv。</translation>
    </message>
    <message>
      <source>Landscape evolution</source>
      <translation>景观演化</translation>
    </message>
    <message>
      <source>RUSLE</source>
      <translation>RUSLE（修正通用土壤流失方程）</translation>
    </message>
    <message>
      <source>Time step (years, landscape evolution)</source>
      <translation>时间步长（年，景观演化）</translation>
    </message>
    <message>
      <source>Stream-power erodibility K (for unit discharge q in m2/yr)</source>
      <translation>河流功率可蚀性系数 K（单宽流量 q 单位为 m2/yr）</translation>
    </message>
    <message>
      <source>Exponent m on unit discharge</source>
      <translation>单宽流量指数 m</translation>
    </message>
    <message>
      <source>Exponent n on slope</source>
      <translation>坡度指数 n</translation>
    </message>
    <message>
      <source>Effective runoff (m/yr)</source>
      <translation>有效径流（m/yr）</translation>
    </message>
    <message>
      <source>Hillslope diffusivity D (m2/yr)</source>
      <translation>坡面扩散系数 D（m2/yr）</translation>
    </message>
    <message>
      <source>Deposition (settling) velocity V (m/yr; 0 = detachment-limited)</source>
      <translation>沉积（沉降）速度 V（m/yr；0 = 分离限制）</translation>
    </message>
    <message>
      <source>RUSLE R, rainfall erosivity (MJ mm/(ha h yr))</source>
      <translation>RUSLE R，降雨侵蚀力（MJ mm/(ha h yr)）</translation>
    </message>
    <message>
      <source>RUSLE K, soil erodibility (t ha h/(ha MJ mm))</source>
      <translation>RUSLE K，土壤可蚀性（t ha h/(ha MJ mm)）</translation>
    </message>
  </context>
  <context>
    <name>FractureNetwork</name>
    <message>
      <source>Extent of the box (empty = the probability raster's)</source>
      <translation>模拟区域范围（留空 = 概率栅格的范围）</translation>
    </message>
    <message>
      <source>Z min of the box (m)</source>
      <translation>模拟区域 Z 最小值（m）</translation>
    </message>
    <message>
      <source>Z max of the box (m)</source>
      <translation>模拟区域 Z 最大值（m）</translation>
    </message>
    <message>
      <source>Power-law exponent a of the diameters (n(D) ~ D^-a)</source>
      <translation>直径幂律指数 a（n(D) ~ D^-a）</translation>
    </message>
    <message>
      <source>D_min, smallest diameter (m)</source>
      <translation>D_min，最小直径（m）</translation>
    </message>
    <message>
      <source>D_max, largest diameter (m)</source>
      <translation>D_max，最大直径（m）</translation>
    </message>
    <message>
      <source>Mean dip direction (degrees from north)</source>
      <translation>平均倾向（自正北起算，度）</translation>
    </message>
    <message>
      <source>Mean dip (degrees)</source>
      <translation>平均倾角（度）</translation>
    </message>
    <message>
      <source>Fisher concentration kappa (0 = uniform)</source>
      <translation>Fisher 集中参数 kappa（0 = 均匀分布）</translation>
    </message>
    <message>
      <source>Stop at</source>
      <translation>终止条件</translation>
    </message>
    <message>
      <source>Number of discs</source>
      <translation>圆盘数量</translation>
    </message>
    <message>
      <source>Target P32 intensity (m2 of disc per m3)</source>
      <translation>目标 P32 强度（每 m3 的圆盘面积 m2）</translation>
    </message>
    <message>
      <source>Acceptance probability Prob (0-1]</source>
      <translation>接受概率 Prob (0-1]</translation>
    </message>
    <message>
      <source>Probability raster (0-1, multiplies Prob)</source>
      <translation>概率栅格（0-1，与 Prob 相乘）</translation>
    </message>
    <message>
      <source>Random seed</source>
      <translation>随机种子</translation>
    </message>
    <message>
      <source>Elevation of the trace plane (m)</source>
      <translation>迹线平面高程（m）</translation>
    </message>
    <message>
      <source>Fracture discs (centres)</source>
      <translation>裂隙圆盘（中心点）</translation>
    </message>
    <message>
      <source>Fracture traces</source>
      <translation>裂隙迹线</translation>
    </message>
    <message>
      <source>P32 intensity (m2/m3)</source>
      <translation>P32 强度（m2/m3）</translation>
    </message>
    <message>
      <source>Number of traces</source>
      <translation>迹线数量</translation>
    </message>
    <message>
      <source>P21 trace intensity (m/m2)</source>
      <translation>P21 迹线强度（m/m2）</translation>
    </message>
    <message>
      <source>Parameter EXTENT: give the extent of the box (or a probability raster whose extent is used).</source>
      <translation>参数 EXTENT：请提供模拟区域范围（或提供一个概率栅格，采用其范围）。</translation>
    </message>
    <message>
      <source>{0} discs from {1} candidate centres; P32 = {2:.6g} m2/m3; {3} traces at {4:g} m, P21 = {5:.6g} m/m2.</source>
      <translation>由 {1} 个候选中心生成 {0} 个圆盘；P32 = {2:.6g} m2/m3；{4:g} m 高程处迹线 {3} 条，P21 = {5:.6g} m/m2。</translation>
    </message>
    <message>
      <source>The box is in a geographic CRS ({0}), whose units are degrees; fracture diameters are in metres. Give the extent in a projected CRS in metres (for example the local UTM zone).</source>
      <translation>模拟区域位于地理坐标系（{0}）中，其单位为度；而裂隙直径以米为单位。请以米制投影坐标系（例如当地 UTM 带）给出范围。</translation>
    </message>
    <message>
      <source>The trace plane ({0:g} m) is outside the box ({1:g} .. {2:g} m): only discs reaching out of the box can cut it.</source>
      <translation>迹线平面（{0:g} m）位于模拟区域（{1:g} .. {2:g} m）之外：只有伸出区域的圆盘才能与其相交。</translation>
    </message>
    <message>
      <source>Discrete fracture network</source>
      <translation>离散裂隙网络</translation>
    </message>
    <message>
      <source>A discrete fracture network (DFN) of circular discs in a box, and the traces where the discs cut a horizontal plane, after the paste-filling / DFN paper (sections 2.3 and 2.4).

Box: the extent (a layer's extent or drawn on the map; projected CRS in metres) and the elevation range Z min .. Z max (m).

Sizes: diameters D follow the truncated power law n(D) ~ D^-a on [D_min, D_max] (a = exponent), drawn by inverting its CDF F(D) = (D_min^(1-a) - D^(1-a)) / (D_min^(1-a) - D_max^(1-a)) (log form for a = 1).

Positions: candidate centres are uniform in the box; each gets a random P in (0, 1) and is kept when P is below Prob. Prob is the acceptance probability, or, with a probability raster, the raster value (0..1) at the centre's x, y times the acceptance probability (0 outside the raster and on nodata). A constant Prob thins candidates without changing the uniform pattern; a raster makes the fracture density follow it (e.g. more fractures above the mined-out area).

Orientations: Fisher distribution with concentration kappa (0 = uniform; larger = tighter) around the mean pole of the mean dip direction and dip (degrees, clockwise from north); cos(theta) = 1 + ln(1 - u (1 - exp(-2 kappa))) / kappa, azimuth uniform. The mean resultant length of the normals is coth(kappa) - 1/kappa.

Termination: a number of discs, or the intensity P32 = sum of disc areas (pi D^2 / 4) / box volume, in m2/m3 (discs are added until P32 is first reached). Discs are not cut at the box faces.

Seed: the same seed and parameters give the same network; a smaller count gives the first discs of a larger one.

Outputs: the discs as 3-D points at their centres (fields id, x, y, z, diameter, area, dip_dir, dip, nx, ny, nz: upward unit normal), the traces on the plane z = trace elevation as lines (fields disc_id, length, elevation, diameter, dip_dir, dip): a chord for an inclined disc; a disc lying in the plane (dip 0 at exactly that elevation) gives its whole circle, drawn as a 72-sided ring with length pi D. Numbers: disc count, P32 (m2/m3), trace count and P21 = trace length / plan area of the box (m/m2).</source>
      <translation>在长方体区域内生成由圆盘构成的离散裂隙网络（DFN），以及圆盘与某一水平面相交的迹线，依据膏体充填 / DFN 论文（第 2.3 和 2.4 节）。

区域：平面范围（取图层范围或在地图上绘制；米制投影坐标系）与高程范围 Z min .. Z max（m）。

尺寸：直径 D 在 [D_min, D_max] 上服从截断幂律 n(D) ~ D^-a（a = 指数），由其累积分布函数 F(D) = (D_min^(1-a) - D^(1-a)) / (D_min^(1-a) - D_max^(1-a)) 反演抽样（a = 1 时采用对数形式）。

位置：候选中心在区域内均匀分布；每个候选点获得 (0, 1) 内的随机数 P，当 P 小于 Prob 时保留。Prob 为接受概率；提供概率栅格时，为中心点 x, y 处的栅格值（0..1）乘以接受概率（栅格外及无数据处为 0）。常数 Prob 只会稀疏候选点而不改变均匀分布；概率栅格则使裂隙密度随其变化（如采空区上方裂隙更多）。

产状：以平均倾向与倾角（度，自正北顺时针）对应的平均极点为中心的 Fisher 分布，集中参数为 kappa（0 = 均匀分布；越大越集中）；cos(theta) = 1 + ln(1 - u (1 - exp(-2 kappa))) / kappa，方位角均匀分布。法向量的平均合成长度为 coth(kappa) - 1/kappa。

终止条件：圆盘数量，或强度 P32 = 圆盘面积之和 (pi D^2 / 4) / 区域体积，单位 m2/m3（持续添加圆盘，直至首次达到 P32）。圆盘不在区域边界面处截断。

随机种子：相同的种子与参数生成相同的网络；较小的数量给出较大数量网络中的前若干个圆盘。

输出：圆盘，以中心处的三维点表示（字段 id、x、y、z、diameter、area、dip_dir、dip、nx、ny、nz：向上的单位法向量）；平面 z = 迹线高程上的迹线，以线表示（字段 disc_id、length、elevation、diameter、dip_dir、dip）：倾斜圆盘为一条弦；位于该平面内的圆盘（倾角 0 且恰在该高程）给出整个圆周，绘制为 72 边形环，长度为 pi D。数值输出：圆盘数、P32（m2/m3）、迹线数以及 P21 = 迹线长度 / 区域平面面积（m/m2）。</translation>
    </message>
  </context>
  <context>
    <name>FusionRate</name>
    <message>
      <source>Flow direction agreement on the dump boundary</source>
      <translation>内排土场边界流向一致性</translation>
    </message>
    <message>
      <source>Channels: shared, lost and new</source>
      <translation>水文沟道：共有、消失与新增</translation>
    </message>
    <message>
      <source>Fusion rate per strip (CSV)</source>
      <translation>逐条带水文融合率（CSV）</translation>
    </message>
    <message>
      <source>CSV files (*.csv)</source>
      <translation>CSV 文件 (*.csv)</translation>
    </message>
    <message>
      <source>PNL has no channel cell inside the dump at this threshold, so the channel overlap is undefined (NaN); lower the channel threshold.</source>
      <translation>在此阈值下 PNL 在内排土场内没有水文沟道栅格，水文沟道空间重叠率无定义（NaN）；请降低水文沟道阈值。</translation>
    </message>
    <message>
      <source>Dump: {0} cells, final pit: {1} cells, boundary pairs S_b: {2}. Fusion rate {3:.2%}, without the pit {4:.2%}. Channel threshold {5:g} cells; overlap {6:.2%}; catchments {7} (PNL {8}); channel length {9:.0f} m (PNL {10:.0f} m).</source>
      <translation>内排土场：{0} 个栅格，最终矿坑：{1} 个栅格，边界栅格对 S_b：{2}。水文融合率 {3:.2%}，排除矿坑影响 {4:.2%}。水文沟道阈值 {5:g} 个栅格；空间重叠率 {6:.2%}；汇水子区 {7} 个（PNL {8} 个）；水文沟道长度 {9:.0f} m（PNL {10:.0f} m）。</translation>
    </message>
    <message>
      <source>Plan: {0}</source>
      <translation>方案：{0}</translation>
    </message>
    <message>
      <source>Hydrological fusion rate</source>
      <translation>水文融合率</translation>
    </message>
    <message>
      <source>How well a reshaped landform hands runoff to its surroundings compared with the pristine landform (PNL), and how much of PNL's channel network it restores inside the dump (Xia et al. 2023, eq. 10 to 12, section 2.3.1).

Inputs: the pre-mining DEM (PNL) and the landform DEM on the same grid (metres, projected CRS; landform cells without data take the PNL value), and the sub-area layer of 'Mining/refilling sub-area delineation' (fields period and kind; with a field 'plan', PLAN picks the optimized or the original strips). The dump is every cell whose centre is in a refilling strip; the final pit is every mined cell (in a mining strip, the box cut or the final pit) in no refilling strip.

Flow: both surfaces are depression-filled and routed on the whole grid (D8, ESRI codes, accumulation in cells, as in 'Channel and ridge extraction'). PNL's flow direction and accumulation may be given instead (FLOWDIR and ACCUMULATION, the outputs of 'Channel and ridge extraction' on the same DEM: the same rasters, not computed again); blank, they are computed.

Fusion rate r = sum of p_v p_d over S_b / size(S_b) (eq. 10), 0 to 1 (the paper prints it in percent). S_b: for every refilling strip, the valid cells outside the dump that touch the strip (8 neighbours); a cell next to two strips counts for each. p_v = 1 where the landform's flow direction equals PNL's, else 0 (eq. 11); p_d = 1 - |Q_landform - Q_PNL| / (rows x cols of the strip's bounding box in cells), clipped to 0..1 (eq. 12).
Fusion rate without the pit: the same after the final pit cells of the landform are replaced by the pre-mining DEM (the paper's 'without the influence of the pit').

Channels: cells whose accumulation reaches the channel threshold (cells; blank = the OTSU scaling-break threshold of PNL), the same threshold on both surfaces. Channel overlap = landform channel cells that are also PNL channel cells / PNL channel cells, inside the dump. Catchments: the number of distinct channel-link catchments that the dump's cells belong to. Channel length: metres of channel inside the dump (each channel cell's D8 step to its receiver).

Outputs: the numbers above; a raster of the boundary cells where directions agree (1) or differ (2), dump = 3; a raster of shared (1), lost (2) and new (3) channel cells in the dump, landform channels outside it = 4; a CSV table per refilling strip (bounding box, normaliser, boundary cells, agreeing cells, rate with and without the pit) with a last row 'all'.</source>
      <translation>评价重塑地貌与原始自然地貌（PNL）相比向周边传递径流的程度，以及其在内排土场内恢复了多少 PNL 的水文沟道网络（Xia 等，2023，式 10 至式 12，第 2.3.1 节）。

输入：同一栅格网格上的采前 DEM（PNL）与重塑地貌 DEM（单位 m，投影坐标系；重塑地貌的无数据栅格取 PNL 值），以及“采复子区划定”输出的子区图层（字段 period 和 kind；若有 plan 字段，由 PLAN 选择优化方案或原始方案的条带）。内排土场为中心位于任一复填条带内的所有栅格；最终矿坑为不在任何复填条带内的所有开采栅格（位于开采条带、拉沟段或最终矿坑内）。

汇流：两个表面均经填洼并在整个网格上演算（D8，ESRI 编码，汇流累积量以栅格数计，与“水文沟道与分水岭提取”相同）。也可直接给出 PNL 的流向与汇流累积量（FLOWDIR 与 ACCUMULATION，即“水文沟道与分水岭提取”在同一 DEM 上的输出：栅格相同，不再重复计算）；留空则重新计算。

水文融合率 r = S_b 上 p_v p_d 之和 / size(S_b)（式 10），取值 0 至 1（论文以百分数表示）。S_b：对每个复填条带，取内排土场外与该条带相邻（8 邻域）的有效栅格；与两个条带相邻的栅格对每个条带各计一次。重塑地貌流向与 PNL 相同时 p_v = 1，否则为 0（式 11）；p_d = 1 - |Q_landform - Q_PNL| / （条带外接矩形的行数 x 列数，以栅格计），截断至 0..1（式 12）。
排除矿坑影响的水文融合率：将重塑地貌的最终矿坑栅格替换为采前 DEM 后按同样方法计算（论文中的“排除矿坑影响”）。

水文沟道：汇流累积量达到水文沟道阈值的栅格（栅格数；留空 = PNL 的 OTSU 尺度断点阈值），两个表面采用同一阈值。水文沟道空间重叠率 = 内排土场内同时为 PNL 水文沟道栅格的重塑地貌水文沟道栅格数 / PNL 水文沟道栅格数。汇水子区：内排土场栅格所属的不同沟道段汇水子区的数量。水文沟道长度：内排土场内水文沟道的长度（m，按每个沟道栅格至其下游栅格的 D8 步长计）。

输出：上述数值；标示边界栅格流向一致（1）或不一致（2）的栅格图层，内排土场 = 3；标示内排土场内共有（1）、消失（2）与新增（3）水文沟道栅格的栅格图层，内排土场外的重塑地貌水文沟道 = 4；逐复填条带的 CSV 表（外接矩形、归一化因子、边界栅格数、流向一致栅格数、含与不含矿坑影响的水文融合率），最后一行为“all”。</translation>
    </message>
    <message>
      <source>Hydrological fusion rate (0-1)</source>
      <translation>水文融合率（0-1）</translation>
    </message>
    <message>
      <source>Fusion rate without the pit's influence (0-1)</source>
      <translation>排除矿坑影响的水文融合率（0-1）</translation>
    </message>
    <message>
      <source>Channel overlap with PNL in the dump (0-1)</source>
      <translation>内排土场内与 PNL 的水文沟道空间重叠率（0-1）</translation>
    </message>
    <message>
      <source>Catchments in the dump, landform</source>
      <translation>内排土场内汇水子区数，重塑地貌</translation>
    </message>
    <message>
      <source>Catchments in the dump, PNL</source>
      <translation>内排土场内汇水子区数，PNL</translation>
    </message>
    <message>
      <source>Channel length in the dump, landform (m)</source>
      <translation>内排土场内水文沟道长度，重塑地貌（m）</translation>
    </message>
    <message>
      <source>Channel length in the dump, PNL (m)</source>
      <translation>内排土场内水文沟道长度，PNL（m）</translation>
    </message>
  </context>
  <context>
    <name>HaulDistance</name>
    <message>
      <source>Haul distance per period (CSV)</source>
      <translation>各周期运距（CSV）</translation>
    </message>
    <message>
      <source>CSV files (*.csv)</source>
      <translation>CSV 文件 (*.csv)</translation>
    </message>
    <message>
      <source>Earth moves (lift centre to lift centre)</source>
      <translation>土方调运线（分层中心至分层中心）</translation>
    </message>
    <message>
      <source>Mean haul distance (m)</source>
      <translation>土方平均运距（m）</translation>
    </message>
    <message>
      <source>Strip area shares from a grid {0} x finer.</source>
      <translation>条带面积占比由加密 {0} 倍的网格计算。</translation>
    </message>
    <message>
      <source>{0} periods; supply {1:.6g} m3, room in the refilling strips {2:.6g} m3, moved {3:.6g} m3; mean haul distance {4:.2f} m.</source>
      <translation>{0} 个周期；可用土方量 {1:.6g} m3，复填条带容量 {2:.6g} m3，调运 {3:.6g} m3；土方平均运距 {4:.2f} m。</translation>
    </message>
    <message>
      <source>Plan: {0}</source>
      <translation>方案：{0}</translation>
    </message>
    <message>
      <source>In {0} period(s) the room in the refilling strip differs from the supply by more than 5 % (largest ratio room / supply {1:.3g}, smallest {2:.3g}); the room was scaled to the supply. Usual causes: a landform built for another plan or another K, or a landform that does not hold each strip's supply.</source>
      <translation>有 {0} 个周期的复填条带容量与可用土方量相差超过 5 %（容量 / 可用土方量之比最大 {1:.3g}，最小 {2:.3g}）；已将容量按可用土方量缩放。常见原因：地貌是按其他方案或其他 K 构建的，或地貌未按各条带的可用土方量构建。</translation>
    </message>
    <message>
      <source>The supply computed from the rasters ({0:.6g} m3) differs by more than 2 % from the total v_supply of the sub-area layer ({1:.6g} m3); check K and that the same floor and thickness rasters were used.</source>
      <translation>由栅格计算的可用土方量（{0:.6g} m3）与子区图层 v_supply 总量（{1:.6g} m3）相差超过 2 %；请检查 K，并确认使用了相同的底板与煤层厚度栅格。</translation>
    </message>
    <message>
      <source>Period {0}: nothing moved (supply {1:.6g} m3, room {2:.6g} m3); a mining or refilling strip is missing or empty.</source>
      <translation>周期 {0}：无土方调运（可用土方量 {1:.6g} m3，容量 {2:.6g} m3）；缺少开采或复填条带，或条带为空。</translation>
    </message>
    <message>
      <source>Mean earthwork haul distance</source>
      <translation>土方平均运距</translation>
    </message>
    <message>
      <source>Mean straight-line (3-D) distance the earth travels from the mining strips to the refilling strips, per period and overall (Xia et al. 2023, eq. 13, sections 1.3 and 2.3.2).

Inputs on one grid (metres, projected CRS): the pre-mining DEM, the floor of the lowest minable seam, the minable coal thickness, the landform DEM, and the sub-area layer of 'Mining/refilling sub-area delineation' (fields period and kind; with a field 'plan', PLAN picks the optimized or the original strips). Only the 'mining' strips are sources: the box cut's spoil is not part of the periods' balance. A cell counts for a strip by the share of its area inside the strip's polygon (measured on a grid up to 64 x finer), so strips narrower than a cell keep their volume.

In each period the mining strip is stripped from its highest point down in lifts of the bench height: a cell gives its overburden, between the top of the coal (floor + thickness) and the pre-mining surface, times K (the supply of eq. 6, V_g = K x sum(dem_or - h_t - H_md) x cell area). The refilling strip of the same period is built from its lowest floor point up, in lifts of the bench height, between the floor and the landform; a higher lift is begun only when the one below is full. Source and destination volumes are paired in that order by cumulative volume; each paired piece travels the 3-D distance between the volume centre of its source lift and that of its destination lift. The mean is weighted by volume. All of a period's supply is placed: if the room in the refilling strip (floor to landform) differs from the supply, the destination lifts are scaled by supply / room, so the landform's shape receives exactly the supply (a landform built to hold each strip's supply needs no scaling); the table reports the room and the ratio.

Outputs: the overall mean haul distance (m), a CSV table per period (supply, room, moved volume, room / supply, lift counts, mean distance) with a last row 'all', and an optional line layer (3-D lines) from each source lift centre to each destination lift centre it feeds, with the volume and distance, for a map of the earth moves.</source>
      <translation>计算土方从开采条带运至复填条带的平均直线（三维）距离，按周期及总体统计（Xia 等，2023，式 13，第 1.3 和 2.3.2 节）。

输入（同一栅格网格，单位 m，投影坐标系）：采前 DEM、可采煤层最底层底板、可采煤层厚度、重塑地貌 DEM，以及“采复子区划定”输出的子区图层（字段 period 和 kind；若有 plan 字段，由 PLAN 选择优化方案或原始方案的条带）。只有“mining”条带为土方来源：拉沟段的排弃土不计入各周期的平衡。栅格按其面积落在条带多边形内的比例计入该条带（在最多加密 64 倍的网格上量算），因此窄于一个栅格的条带仍保留其土方量。

每个周期内，开采条带自最高点起按台阶高度分层向下剥离：每个栅格提供其在煤层顶面（底板 + 厚度）与采前地表之间的覆盖层，乘以 K（式 6 的可用土方量，V_g = K x sum(dem_or - h_t - H_md) x 栅格面积）。同一周期的复填条带自底板最低点起按台阶高度分层向上回填，介于底板与重塑地貌之间；只有下层填满后才开始上一层。按累计体积依次将来源与去向的土方配对；每一对土方按其来源分层体积中心与去向分层体积中心之间的三维距离运移。平均值按体积加权。每个周期的全部可用土方量都被回填：若复填条带的容量（底板至重塑地貌）与可用土方量不同，则按 可用土方量 / 容量 缩放去向分层，使重塑地貌形态恰好容纳可用土方量（按各条带可用土方量构建的地貌无需缩放）；表中报告容量及该比值。

输出：总体土方平均运距（m）；逐周期的 CSV 表（可用土方量、容量、调运量、容量 / 可用土方量、分层数、平均运距），最后一行为“all”；以及可选的线图层（三维线），从每个来源分层中心连至其供给的每个去向分层中心，含体积与距离，用于绘制土方调运图。</translation>
    </message>
  </context>
  <context>
    <name>HpcsAlgorithm</name>
    <message>
      <source>Cancelled: </source>
      <translation>已取消：</translation>
    </message>
    <message>
      <source>Stopped: </source>
      <translation>已停止：</translation>
    </message>
    <message>
      <source>The algorithm was cancelled.</source>
      <translation>算法已被取消。</translation>
    </message>
    <message>
      <source>Not enough memory for this raster. Clip it to the area of interest or use a coarser cell size.</source>
      <translation>内存不足以处理该栅格。请将其裁剪到研究区，或采用更粗的栅格分辨率。</translation>
    </message>
    <message>
      <source>no output of this step was written.</source>
      <translation>此步骤未写出任何输出。</translation>
    </message>
    <message>
      <source>outputs of this step: </source>
      <translation>此步骤的输出：</translation>
    </message>
    <message>
      <source>Parameter {0}: '{1}' is not a valid raster layer.</source>
      <translation>参数 {0}：“{1}”不是有效的栅格图层。</translation>
    </message>
    <message>
      <source>Parameter {0}: layer '{1}' comes from the '{2}' provider; save it as a GeoTIFF (Export &gt; Save As...) and use that file.</source>
      <translation>参数 {0}：图层“{1}”来自“{2}”数据提供者；请将其另存为 GeoTIFF（导出 → 另存为...）并使用该文件。</translation>
    </message>
    <message>
      <source>These zones cover no cell centre and get empty rows: {0}</source>
      <translation>以下分区未覆盖任何栅格中心，其统计行为空：{0}</translation>
    </message>
    <message>
      <source>Output {0}: only GeoTIFF (.tif) is supported, not '{1}'.</source>
      <translation>输出 {0}：仅支持 GeoTIFF（.tif），不支持“{1}”。</translation>
    </message>
    <message>
      <source>Cannot write an output: {0}. Check the output paths and the free disk space.</source>
      <translation>无法写出输出：{0}。请检查输出路径与磁盘剩余空间。</translation>
    </message>
    <message>
      <source>{0}: not written ({1} does not exist)</source>
      <translation>{0}：未写出（{1} 不存在）</translation>
    </message>
    <message>
      <source>Parameter {0}: no raster layer was given or it could not be loaded; choose a raster file GDAL can read (e.g. a GeoTIFF).</source>
      <translation>参数 {0}：未提供栅格图层或无法加载；请选择 GDAL 可读取的栅格文件（如 GeoTIFF）。</translation>
    </message>
    <message>
      <source>Parameter {0}: no vector layer was given.</source>
      <translation>参数 {0}：未提供矢量图层。</translation>
    </message>
    <message>
      <source>{0}: not written; the earlier file {1} is unchanged</source>
      <translation>{0}：未写出；原有文件 {1} 未改变</translation>
    </message>
    <message>
      <source>{0}: {1} was written</source>
      <translation>{0}：已写出 {1}</translation>
    </message>
    <message>
      <source>Pre-mining DEM (PNL; elevation in metres, projected CRS)</source>
      <translation>采前 DEM（PNL；高程，单位 m，投影坐标系）</translation>
    </message>
    <message>
      <source>The landform before mining (PNL, dem_or of eq. 6), elevation in metres in a projected CRS. The step's other rasters must be on its grid.</source>
      <translation>开采前的地貌（PNL，式 6 中的 dem_or），高程单位 m，投影坐标系。此步骤的其他栅格必须位于其栅格网格上。</translation>
    </message>
    <message>
      <source>Floor of the lowest minable seam (elevation, m)</source>
      <translation>可采煤层最底层底板（高程，m）</translation>
    </message>
    <message>
      <source>H_md / H_fd of eq. 6-8: the elevation, in metres, of the floor of the lowest seam that is mined, on the DEM's grid; the pit is dug down to it.</source>
      <translation>式 6-8 中的 H_md / H_fd：所开采的最底层煤层的底板高程，单位 m，位于 DEM 的栅格网格上；矿坑开挖至该底板。</translation>
    </message>
    <message>
      <source>Minable coal thickness (m)</source>
      <translation>可采煤层厚度（m）</translation>
    </message>
    <message>
      <source>h_t of eq. 6: the thickness of the coal taken out, in metres, on the DEM's grid; the spoil of a strip is its volume above the floor less this coal.</source>
      <translation>式 6 中的 h_t：采出煤层的厚度，单位 m，位于 DEM 的栅格网格上；条带的排弃土方量为其底板以上的体积减去这部分煤层。</translation>
    </message>
    <message>
      <source>Maximum earthwork surface (dem_max)</source>
      <translation>最大土方重塑地貌（dem_max）</translation>
    </message>
    <message>
      <source>dem_max of eq. 7, written by 'Earthwork surfaces': the highest surface a dump may be built up to, elevation in metres on the DEM's grid.</source>
      <translation>式 7 中的 dem_max，由“最小与最大土方重塑地貌”输出：内排土场可堆筑到的最高表面，高程单位 m，位于 DEM 的栅格网格上。</translation>
    </message>
    <message>
      <source>Minimum earthwork surface (dem_min)</source>
      <translation>最小土方重塑地貌（dem_min）</translation>
    </message>
    <message>
      <source>dem_min of eq. 8, written by 'Earthwork surfaces': the lowest surface a dump must reach, elevation in metres on the DEM's grid.</source>
      <translation>式 8 中的 dem_min，由“最小与最大土方重塑地貌”输出：内排土场必须达到的最低表面，高程单位 m，位于 DEM 的栅格网格上。</translation>
    </message>
    <message>
      <source>Catchments (channel link ids)</source>
      <translation>汇水子区（沟道段编号）</translation>
    </message>
    <message>
      <source>The catchment of each channel link (an integer id per cell), as 'Channel extraction' writes it, on the DEM's grid.</source>
      <translation>每个沟道段的汇水子区（每个栅格一个整数编号），即“水文沟道与分水岭提取”的输出，位于 DEM 的栅格网格上。</translation>
    </message>
    <message>
      <source>Flow direction (ESRI D8 codes)</source>
      <translation>流向（ESRI D8 编码）</translation>
    </message>
    <message>
      <source>D8 flow direction as 'Channel extraction' writes it (ESRI codes 1, 2, 4 ... 128), on the DEM's grid.</source>
      <translation>“水文沟道与分水岭提取”输出的 D8 流向（ESRI 编码 1、2、4 ... 128），位于 DEM 的栅格网格上。</translation>
    </message>
    <message>
      <source>Flow accumulation (cells)</source>
      <translation>汇流累积量（栅格数）</translation>
    </message>
    <message>
      <source>D8 flow accumulation as 'Channel extraction' writes it (the number of cells that drain through each cell, itself included), on the DEM's grid.</source>
      <translation>“水文沟道与分水岭提取”输出的 D8 汇流累积量（流经每个栅格的栅格数，含其自身），位于 DEM 的栅格网格上。</translation>
    </message>
    <message>
      <source>Pristine landform (PNL, pre-mining DEM, metres)</source>
      <translation>原始自然地貌（PNL，采前 DEM，单位 m）</translation>
    </message>
    <message>
      <source>The reference landform the reshaped one is compared with: the pre-mining DEM (or 'Pristine landform with the final pit'), elevation in metres.</source>
      <translation>与重塑地貌进行对比的参照地貌：采前 DEM（或“含最终矿坑的原始自然地貌”的输出），高程单位 m。</translation>
    </message>
    <message>
      <source>Reshaped landform (DEM on the same grid)</source>
      <translation>重塑地貌（同一栅格网格上的 DEM）</translation>
    </message>
    <message>
      <source>A designed landform (near-natural or terraced), elevation in metres, on the grid of the pre-mining DEM.</source>
      <translation>设计的地貌（近自然地貌或台阶式地貌），高程单位 m，位于采前 DEM 的栅格网格上。</translation>
    </message>
    <message>
      <source>Landforms (elevation rasters on one grid)</source>
      <translation>地貌（同一栅格网格上的高程栅格）</translation>
    </message>
    <message>
      <source>The landforms to compare, elevation rasters in metres, all on one grid; the algorithm's help says which of them is the reference.</source>
      <translation>待对比的地貌，以米为单位的高程栅格，全部位于同一栅格网格上；以哪个地貌为参照见算法帮助。</translation>
    </message>
    <message>
      <source>Mining/refilling sub-areas (fields period, kind)</source>
      <translation>采复子区（字段 period、kind）</translation>
    </message>
    <message>
      <source>The strips written by 'Mining/refilling sub-area delineation': polygons with the fields period and kind ('mining', 'refilling', 'box cut', 'final pit') and, when the layer holds both plans, plan.</source>
      <translation>“采复子区划定”输出的条带：含字段 period 与 kind（“mining”、“refilling”、“box cut”、“final pit”）的面，图层包含两种方案时还含字段 plan。</translation>
    </message>
    <message>
      <source>Mine area (polygon)</source>
      <translation>矿区范围（面）</translation>
    </message>
    <message>
      <source>The mine (lease) polygon that is divided into strips, in any CRS (it is reprojected to the DEM's).</source>
      <translation>划分为条带的矿区（矿权）范围面，可为任意坐标系（将重投影至 DEM 的坐标系）。</translation>
    </message>
    <message>
      <source>Evaluation area (polygons)</source>
      <translation>评价区（面）</translation>
    </message>
    <message>
      <source>The area over which the step sums or averages what it measures, polygons in any CRS (reprojected to the grid's); the algorithm's help says what a blank value means where it is optional.</source>
      <translation>此步骤对所测量的量进行求和或平均的区域，为任意坐标系的面（将重投影至栅格网格的坐标系）；该参数可选时，留空的含义见算法帮助。</translation>
    </message>
    <message>
      <source>Zones (polygons)</source>
      <translation>分区（面）</translation>
    </message>
    <message>
      <source>Polygons (for example the mining type) over which the result is summarised, one row per zone.</source>
      <translation>用于汇总结果的面（例如开采类型），每个分区一行。</translation>
    </message>
    <message>
      <source>Plan (the sub-area layer's field 'plan', if it has one)</source>
      <translation>方案（子区图层的 plan 字段，如有）</translation>
    </message>
    <message>
      <source>Which plan of a sub-area layer holding both (field plan) is used: the optimized one (MNNDL) or the original equal strips (NNDL). A layer with one plan is used as it is.</source>
      <translation>子区图层同时包含两种方案（字段 plan）时采用哪一种：优化方案（MNNDL）或原始等宽条带方案（NNDL）。仅含一种方案的图层按原样使用。</translation>
    </message>
    <message>
      <source>Optimized (MNNDL) when the layer has it, else the only plan</source>
      <translation>优化方案（MNNDL），图层中无此方案时采用唯一方案</translation>
    </message>
    <message>
      <source>Original (NNDL)</source>
      <translation>原始方案（NNDL）</translation>
    </message>
    <message>
      <source>Mining direction (degrees from north)</source>
      <translation>开采方向（自正北起算，度）</translation>
    </message>
    <message>
      <source>The direction the pit advances, degrees clockwise from north (the paper mines due west, 270).</source>
      <translation>矿坑推进的方向，自正北顺时针起算，单位度（论文中向正西开采，即 270）。</translation>
    </message>
    <message>
      <source>Strip width (m)</source>
      <translation>条带宽度（m）</translation>
    </message>
    <message>
      <source>Width of the original (equal) mining and refilling strips, metres, along the mining direction.</source>
      <translation>原始（等宽）开采条带与复填条带沿开采方向的宽度，单位 m。</translation>
    </message>
    <message>
      <source>k, ratio of spoil to stripped volume (eq. 6)</source>
      <translation>k，实际土方量与剥离量之比（式 6）</translation>
    </message>
    <message>
      <source>k of eq. 6: the actual spoil volume over the stripped bank volume (swell, losses, partings); it multiplies the supply V_g of each mining strip.</source>
      <translation>式 6 中的 k：实际排弃土方体积与剥离实方体积之比（考虑松散、损失与夹矸）；用于乘以每个开采条带的可用土方量 V_g。</translation>
    </message>
    <message>
      <source>A_max, maximum slope angle (degrees)</source>
      <translation>A_max，最大允许边坡角（度）</translation>
    </message>
    <message>
      <source>A_max of eq. 3 and 4: the steepest slope angle, degrees, of the earthwork surfaces (dem_max = min(h + L tan A_max) on the watersheds).</source>
      <translation>式 3 与式 4 中的 A_max：土方重塑地貌的最陡边坡角，单位度（分水岭栅格上 dem_max = min(h + L tan A_MAX)）。</translation>
    </message>
    <message>
      <source>Bench (lift) height (m)</source>
      <translation>台阶（分层）高度（m）</translation>
    </message>
    <message>
      <source>Height of the benches (lifts) the strips are stripped and the dumps built in, metres (the paper: 10 m).</source>
      <translation>剥离条带与堆筑内排土场所用的台阶（分层）高度，单位 m（论文：10 m）。</translation>
    </message>
    <message>
      <source>Channel threshold (flow-accumulation cells)</source>
      <translation>水文沟道阈值（汇流累积栅格数）</translation>
    </message>
    <message>
      <source>A cell is on a channel where at least this many cells (itself included) drain through it. The algorithm's help says what a blank value means where it is optional.</source>
      <translation>至少有此数量的栅格（含其自身）流经某栅格时，该栅格即位于水文沟道上。该参数可选时，留空的含义见算法帮助。</translation>
    </message>
    <message>
      <source>Years of erosion</source>
      <translation>侵蚀年数</translation>
    </message>
    <message>
      <source>How many years of erosion are simulated on each landform.</source>
      <translation>在每个地貌上模拟侵蚀的年数。</translation>
    </message>
    <message>
      <source>Final pit: working-side wall angle (degrees)</source>
      <translation>最终矿坑：开采侧帮坡角（度）</translation>
    </message>
    <message>
      <source>Slope of the final pit's wall on the working (mining) side, degrees (the paper: 20).</source>
      <translation>最终矿坑开采侧帮的坡角，单位度（论文：20）。</translation>
    </message>
    <message>
      <source>Final pit: end-wall angle (degrees)</source>
      <translation>最终矿坑：端帮坡角（度）</translation>
    </message>
    <message>
      <source>Slope of the final pit's end walls, across the mining direction, degrees (the paper: 13).</source>
      <translation>最终矿坑端帮（开采方向两侧）的坡角，单位度（论文：13）。</translation>
    </message>
    <message>
      <source>Final pit: dump-side wall angle (degrees)</source>
      <translation>最终矿坑：内排侧帮坡角（度）</translation>
    </message>
    <message>
      <source>Slope of the final pit's wall on the inner-dump side, degrees (the paper: 8).</source>
      <translation>最终矿坑内排侧帮的坡角，单位度（论文：8）。</translation>
    </message>
    <message>
      <source>Hydrology</source>
      <translation>水文分析</translation>
    </message>
    <message>
      <source>HPCS model</source>
      <translation>HPCS 模型</translation>
    </message>
    <message>
      <source>Evaluation</source>
      <translation>地貌评价</translation>
    </message>
    <message>
      <source>Ecological assessment</source>
      <translation>生态评价</translation>
    </message>
  </context>
  <context>
    <name>HpcsProvider</name>
    <message>
      <source>HPCS Landform</source>
      <translation>HPCS 地貌重塑</translation>
    </message>
    <message>
      <source>HPCS run {0}</source>
      <translation>HPCS 运行 {0}</translation>
    </message>
    <message>
      <source>the model had no file outputs; nothing was written.</source>
      <translation>模型没有文件输出；未写出任何内容。</translation>
    </message>
    <message>
      <source>The model was cancelled.</source>
      <translation>模型已被取消。</translation>
    </message>
    <message>
      <source>outputs of the model: </source>
      <translation>模型的输出：</translation>
    </message>
    <message>
      <source>Cannot replace {0}: a file and a folder of the same name. Move it away or choose other output names and run again.</source>
      <translation>无法替换 {0}：存在同名的文件与文件夹。请将其移走，或选择其他输出名称后重新运行。</translation>
    </message>
    <message>
      <source>constraint not met ({0} plan)</source>
      <translation>未满足约束（{0} 方案）</translation>
    </message>
    <message>
      <source>Cannot prepare the outputs: {0}. Check the output folders and the free disk space.</source>
      <translation>无法准备输出：{0}。请检查输出文件夹与磁盘剩余空间。</translation>
    </message>
  </context>
  <context>
    <name>HpcsValidation</name>
    <message>
      <source>{0} has a rotated or sheared geotransform; warp it to a north-up grid first (Raster &gt; Projections &gt; Warp (Reproject)).</source>
      <translation>{0} 的地理变换含旋转或剪切；请先将其变形为正北朝上的栅格网格（栅格 → 投影 → 变形（重投影））。</translation>
    </message>
    <message>
      <source>{0} is in a geographic CRS, {1}, whose cells are in degrees, so slopes and lengths would be wrong. Reproject it to a projected CRS in metres, for example EPSG:{2} (the UTM zone at its centre), with Raster &gt; Projections &gt; Warp (Reproject), then run again.</source>
      <translation>{0} 采用地理坐标系 {1}，其栅格以度为单位，坡度与长度将会出错。请通过 栅格 → 投影 → 变形（重投影） 将其重投影为米制投影坐标系，例如 EPSG:{2}（其中心所在的 UTM 带），然后重新运行。</translation>
    </message>
    <message>
      <source>{0} is in {1}, whose unit is '{2}', not metres. Reproject it to a CRS in metres (for example the local UTM zone) and run again.</source>
      <translation>{0} 采用 {1}，其单位为“{2}”而非米。请将其重投影为米制坐标系（例如当地 UTM 带）后重新运行。</translation>
    </message>
    <message>
      <source>{0} has a zero cell size; check its geotransform.</source>
      <translation>{0} 的栅格尺寸为零；请检查其地理变换。</translation>
    </message>
    <message>
      <source>Cannot open '{0}' as a raster: {1}</source>
      <translation>无法将“{0}”作为栅格打开：{1}</translation>
    </message>
    <message>
      <source>'{0}' is not a raster GDAL can read.</source>
      <translation>“{0}”不是 GDAL 可读取的栅格。</translation>
    </message>
    <message>
      <source>{0} has {1} band(s); band {2} does not exist.</source>
      <translation>{0} 有 {1} 个波段；波段 {2} 不存在。</translation>
    </message>
    <message>
      <source>{0} has no data (nodata or not a number) on {1} of the {2} cells of {3} (first at {4}). Every cell there needs a value: fill the gaps (Raster &gt; Analysis &gt; Fill nodata), or shrink the area so it leaves them out, and run again.</source>
      <translation>{0} 在 {3} 的 {2} 个栅格中有 {1} 个无数据（无数据值或非数值）（第一个位于 {4}）。该范围内每个栅格都需要有值：请填补空缺（栅格 → 分析 → 填充无数据），或缩小范围以排除这些栅格，然后重新运行。</translation>
    </message>
    <message>
      <source>The seam floor (FLOOR) is above the pre-mining surface (INPUT) by up to {0} m in {1} of the {2} cells of {3}. FLOOR is the elevation (m, same datum as the DEM) of the lowest minable seam floor, so it must lie below the surface; check that it is an elevation, not a depth.</source>
      <translation>在 {3} 的 {2} 个栅格中，有 {1} 个栅格的煤层底板（FLOOR）高于采前地表（INPUT），最多高出 {0} m。FLOOR 是可采煤层最底层底板的高程（m，与 DEM 同一高程基准），因此必须位于地表以下；请检查其是否为高程而非埋深。</translation>
    </message>
    <message>
      <source>Choose another file or folder you can write to and run again.</source>
      <translation>请选择另一个可写入的文件或文件夹，然后重新运行。</translation>
    </message>
    <message>
      <source>an invalid geometry</source>
      <translation>无效几何</translation>
    </message>
    <message>
      <source>passes of the 3 x 3 mean over every free cell</source>
      <translation>次对所有自由栅格的 3 x 3 均值插值</translation>
    </message>
    <message>
      <source>1 to 100000 (the paper's rule gives a few hundred; for a fully converged surface choose the 'converged' interpolation instead)</source>
      <translation>1 至 100000（论文规则给出的是几百次；如需完全收敛的表面，请改选“收敛解”插值方法）</translation>
    </message>
    <message>
      <source>years of erosion extrapolated from models calibrated on annual rates and decades of landscape evolution</source>
      <translation>年的侵蚀，由按年侵蚀速率和数十年景观演化标定的模型外推而来</translation>
    </message>
    <message>
      <source>1 to 1000 years (the design horizon of a reclaimed dump)</source>
      <translation>1 至 1000 年（复垦内排土场的设计年限）</translation>
    </message>
    <message>
      <source>row {0}, column {1}, x {2}, y {3}</source>
      <translation>第 {0} 行，第 {1} 列，x {2}，y {3}</translation>
    </message>
    <message>
      <source>'{0}' is an existing file, not a folder</source>
      <translation>“{0}”是已有文件，而不是文件夹</translation>
    </message>
    <message>
      <source>the folder '{0}' does not exist</source>
      <translation>文件夹“{0}”不存在</translation>
    </message>
    <message>
      <source>the folder '{0}' is not writable</source>
      <translation>文件夹“{0}”不可写</translation>
    </message>
    <message>
      <source>Parameter {0}: feature {1} is not a valid polygon ({2}{3}). Repair the layer with Vector geometry &gt; Fix geometries (native:fixgeometries), check the result, and run again with it.</source>
      <translation>参数 {0}：要素 {1} 不是有效的面（{2}{3}）。请用 矢量几何 → 修复几何图形（native:fixgeometries）修复该图层，检查结果后用其重新运行。</translation>
    </message>
    <message>
      <source>Output {0}: '{1}' is in a system folder ({2}); no output can be written there. {3}</source>
      <translation>输出 {0}：“{1}”位于系统文件夹（{2}）中；无法在此写出任何输出。{3}</translation>
    </message>
    <message>
      <source>Output {0}: '{1}' is an existing folder; give a file name inside it (for example '{2}').</source>
      <translation>输出 {0}：“{1}”是已有文件夹；请给出其中的文件名（例如“{2}”）。</translation>
    </message>
    <message>
      <source>Output {0}: '{1}' has the extension '{2}'; this output can be written as {3} only. Change the file name.</source>
      <translation>输出 {0}：“{1}”的扩展名为“{2}”；此输出只能写为 {3}。请更改文件名。</translation>
    </message>
    <message>
      <source>(none)</source>
      <translation>（无）</translation>
    </message>
    <message>
      <source>Output {0}: cannot write '{1}': {2}. {3}</source>
      <translation>输出 {0}：无法写出“{1}”：{2}。{3}</translation>
    </message>
    <message>
      <source>Output {0}: '{1}' is a database table or a layer inside an existing file; this plugin writes each vector output to a file of its own, so that a failed run never changes earlier data. Give a file name ending in .gpkg, .shp, .geojson or .fgb (supported: {2}, ...) and import the result into the database afterwards.</source>
      <translation>输出 {0}：“{1}”是数据库表或已有文件中的图层；本插件将每个矢量输出写入单独的文件，以确保运行失败时不会改动原有数据。请给出以 .gpkg、.shp、.geojson 或 .fgb 结尾的文件名（支持：{2}, ...），之后再将结果导入数据库。</translation>
    </message>
    <message>
      <source>Parameter {0}: feature {1} is a {2}, not a polygon; the layer must hold polygons only.</source>
      <translation>参数 {0}：要素 {1} 是 {2}，而不是面；该图层只能包含面。</translation>
    </message>
    <message>
      <source> at ({0}, {1})</source>
      <translation>，位于 ({0}, {1})</translation>
    </message>
    <message>
      <source>{0} holds {1} cell(s) of {2} (first at {3}): a nodata value that the raster does not declare. Declare it (Raster &gt; Conversion &gt; Translate with 'Assign a specified nodata value' = {2}, or the layer's Properties &gt; Transparency) and run again.</source>
      <translation>{0} 含 {1} 个值为 {2} 的栅格（第一个位于 {3}）：这是栅格未声明的无数据值。请声明该值（栅格 → 转换 → 转换格式，将“指定无数据值”设为 {2}；或在图层的 属性 → 透明度 中设置），然后重新运行。</translation>
    </message>
    <message>
      <source>Output {0}: '{1}' is an existing file, not a folder. Give the name of a folder (new or existing).</source>
      <translation>输出 {0}：“{1}”是已有文件，而不是文件夹。请给出一个文件夹名称（新建或已有）。</translation>
    </message>
    <message>
      <source>Output {0}: cannot write into '{1}': {2}. {3}</source>
      <translation>输出 {0}：无法写入“{1}”：{2}。{3}</translation>
    </message>
    <message>
      <source>Output {0} is the input {1} ('{2}'); writing it would destroy the input. Give the output another name.</source>
      <translation>输出 {0} 即输入 {1}（“{2}”）；写出将破坏该输入。请为输出另取名称。</translation>
    </message>
    <message>
      <source>Outputs {0} and {1} are both '{2}'; one would overwrite the other. Give each output its own file name.</source>
      <translation>输出 {0} 与 {1} 均为“{2}”；其中一个会覆盖另一个。请为每个输出指定各自的文件名。</translation>
    </message>
    <message>
      <source>{0} ('{1}') is not on the same grid as {2} ('{3}'): it is in {4}, {2} in {5}. All rasters must share one grid: reproject it onto the DEM's grid (Raster &gt; Projections &gt; Warp, with the DEM's CRS, extent and cell size) and run again.</source>
      <translation>{0}（“{1}”）与 {2}（“{3}”）不在同一栅格网格上：前者采用 {4}，{2} 采用 {5}。所有栅格必须共用同一栅格网格：请将其重投影到 DEM 的栅格网格上（栅格 → 投影 → 变形，采用 DEM 的坐标系、范围与栅格尺寸），然后重新运行。</translation>
    </message>
    <message>
      <source>Parameter {0}: the layer holds {1} geometries; a polygon layer is needed (draw the area as a polygon, or buffer the lines or points: Vector geometry &gt; Buffer).</source>
      <translation>参数 {0}：该图层包含 {1} 类型的几何；需要面图层（请将区域绘制为面，或对线或点做缓冲区：矢量几何 → 缓冲区）。</translation>
    </message>
    <message>
      <source>Parameter {0} = {1} implies {1} {2}; that is beyond any useful run. Use {3}.</source>
      <translation>参数 {0} = {1} 意味着 {1} {2}；这已超出任何有意义的运行范围。请使用 {3}。</translation>
    </message>
    <message>
      <source>Parameter STRIP_WIDTH = {0} m is narrower than one cell of the DEM ({1} m): a strip would hold no cell centre and the plan would need one period per fraction of a cell. Use a width of at least one cell, typically 5 to 20 cells ({2} to {3} m here).</source>
      <translation>参数 STRIP_WIDTH = {0} m 窄于 DEM 的一个栅格（{1} m）：条带将不含任何栅格中心，方案每推进不足一个栅格就需要一个周期。请采用至少一个栅格的宽度，通常为 5 至 20 个栅格（此处为 {2} 至 {3} m）。</translation>
    </message>
    <message>
      <source>{0} holds {1} ... on {2} cell(s) (first at {3}), which are not ESRI D8 codes (0, 1, 2, 4, ..., 128). Use the flow directions written by 'Channel and ridge extraction' (OUTPUT_FLOWDIR), not a DEM or another raster.</source>
      <translation>{0} 在 {2} 个栅格上含有值 {1} ...（第一个位于 {3}），这些不是 ESRI D8 编码（0、1、2、4、...、128）。请使用“水文沟道与分水岭提取”输出的流向（OUTPUT_FLOWDIR），而不是 DEM 或其他栅格。</translation>
    </message>
    <message>
      <source>{0} holds {1} ... on {2} cell(s) (first at {3}); it must be a 0/1 mask (1 = {4} cell). Use the {5} output of 'Channel and ridge extraction'.</source>
      <translation>{0} 在 {2} 个栅格上含有值 {1} ...（第一个位于 {3}）；它必须是 0/1 掩膜（1 = {4} 栅格）。请使用“水文沟道与分水岭提取”的 {5} 输出。</translation>
    </message>
    <message>
      <source>{0} holds values from {1} to {2} ({3} cell(s) outside [0, 1], first at {4}); a probability must lie in [0, 1]. Rescale it (Raster calculator) and run again.</source>
      <translation>{0} 的取值范围为 {1} 至 {2}（{3} 个栅格超出 [0, 1]，第一个位于 {4}）；概率必须位于 [0, 1] 内。请对其重新缩放（栅格计算器）后重新运行。</translation>
    </message>
    <message>
      <source>Parameter DIFFUSIVITY = {0} m2/yr on {1} m cells over {2} years implies {3} explicit diffusion sub-steps (stable step {4} x cell^2 / D). Hillslope diffusivities of soil are 0.001 to 0.1 m2/yr; use at most {5} m2/yr here, or a coarser grid.</source>
      <translation>参数 DIFFUSIVITY = {0} m2/yr，在 {1} m 栅格上模拟 {2} 年，需要 {3} 个显式扩散子步长（稳定步长 {4} x cell^2 / D）。土壤的坡面扩散系数为 0.001 至 0.1 m2/yr；此处请最多采用 {5} m2/yr，或采用更粗的栅格网格。</translation>
    </message>
    <message>
      <source>{0}: '{1}' has no CRS; its cells are taken as metres in the CRS of the other inputs. Set its CRS (Raster &gt; Projections &gt; Assign Projection) to be sure.</source>
      <translation>{0}：“{1}”没有坐标系；其栅格按其他输入的坐标系以米计。为稳妥起见，请设置其坐标系（栅格 → 投影 → 指定投影）。</translation>
    </message>
  </context>
  <context>
    <name>NearNaturalLandform</name>
    <message>
      <source>Slope bound at strip seams for the mitigation (degrees)</source>
      <translation>坡度缓和时条带接缝处的坡度上限（度）</translation>
    </message>
    <message>
      <source>Surface between the strips' volumes</source>
      <translation>融合各条带土方量的地表构建方法</translation>
    </message>
    <message>
      <source>period  supply (m3)  V_fmin (m3)  V_fmax (m3)  t  state  volume error</source>
      <translation>周期  可用土方量 (m3)  V_fmin (m3)  V_fmax (m3)  t  状态  体积误差</translation>
    </message>
    <message>
      <source>Slope mitigation between catchment units</source>
      <translation>汇水单元间坡度缓和</translation>
    </message>
    <message>
      <source>Near-natural landform</source>
      <translation>近自然地貌</translation>
    </message>
    <message>
      <source>Mean slope of the dump (degrees)</source>
      <translation>内排土场平均坡度（度）</translation>
    </message>
    <message>
      <source>Maximum slope of the dump (degrees)</source>
      <translation>内排土场最大坡度（度）</translation>
    </message>
    <message>
      <source>Largest relative volume error of a strip</source>
      <translation>条带最大相对体积误差</translation>
    </message>
    <message>
      <source>Mean slope {0:.2f} degrees (before mitigation {1:.2f}); steepest step across a strip seam {2:.1f} degrees.</source>
      <translation>平均坡度 {0:.2f}°（坡度缓和前 {1:.2f}°）；条带接缝处最陡台坎 {2:.1f}°。</translation>
    </message>
    <message>
      <source>Mean slope of the dump's interior ({0} cells), before -&gt; after mitigation: Horn {1:.2f} -&gt; {2:.2f} degrees, step slope (centre-inclusive) {3:.2f} -&gt; {4:.2f} degrees; spikes {5} -&gt; {6} (largest {7:.1f} m off its 3 x 3 median; limit {8:.1f} m); {9} mitigation step(s) kept.</source>
      <translation>内排土场内部（{0} 个栅格）的平均坡度，坡度缓和前 → 后：Horn {1:.2f}° → {2:.2f}°，单步坡度（含中心栅格）{3:.2f}° → {4:.2f}°；尖峰栅格 {5} → {6} 个（最大偏离 3 x 3 邻域中值 {7:.1f} m；限值 {8:.1f} m）；保留了 {9} 个坡度缓和步骤。</translation>
    </message>
    <message>
      <source>Plan: {0}</source>
      <translation>方案：{0}</translation>
    </message>
    <message>
      <source>{0} refilling strip(s) cover no cell centre (narrower than a cell); their supply went to the nearest strip with cells: {1}</source>
      <translation>{0} 个复填条带未覆盖任何栅格中心（窄于一个栅格）；其可用土方量已分配给最近的含栅格条带：{1}</translation>
    </message>
    <message>
      <source>Near-natural landform (HPCS)</source>
      <translation>近自然地貌（HPCS）</translation>
    </message>
    <message>
      <source>Builds the HPCS near-natural landform of the inner dump (Xia et al. 2023, section 2.3): NNDL with the original sub-areas, MNNDL with the optimized ones.

Inputs (one grid, elevations in metres, projected CRS): the pre-mining DEM, the maximum and minimum earthwork surfaces (eq. 1 to 5), the floor of the lowest minable seam, the catchments of channel extraction (for the slope mitigation) and the sub-area layer of 'Mining/refilling sub-area delineation' (fields period, kind, v_supply; PLAN picks its 'optimized' strips for MNNDL or its 'original' strips for NNDL).

Each refilling strip n holds exactly its supply V_g (eq. 6, m3) above the seam floor. The supply of refilling strip n is v_supply of the refilling feature of period n if set, else of the mining feature of period n. A cell belongs to the strip containing its centre; where strips are not much wider than a cell, each polygon's supply is shared among the rasterised strips by the area of the polygon in their cells (total kept). Where V_g exceeds V_fmax (eq. 7) the strip rises above dem_max ('uplifted'); where V_g is below V_fmin (eq. 8) it sinks below dem_min ('sunk'), never below the floor.

One surface covers the whole dump, so strips join without steps: every strip's volume exact, inside [dem_min, dem_max] where the supply is within [V_fmin, V_fmax], not below dem_min where it exceeds V_fmax, not above dem_max where it is short. BLEND (advanced) picks which: 'Natural' (default) keeps the pristine landform's shape, its channels and ridges, wherever the band allows: the departure from the DEM, y = z - DEM, has the least sum of squared one-cell steps (y_i - y_j)^2 / d^2 between neighbouring cells and towards the ground around the dump. 'Gentlest' minimises the same sum for z itself: the lowest slope, but it also fills channels. 'Smoothest blend' is dem_min + t (dem_max - dem_min) with the smoothest t, which carries the spikes of the two surfaces. The first two cut and fill the spikes and pits of the earthwork surfaces wherever the band allows.

Slope mitigation (optional; the paper's slope mitigation module): earth is moved between the catchment units (strip x catchment) of each strip, volumes kept, by projected gradient descent on the centre-inclusive mean slope (per cell the angle of the mean of its four one-cell step gradients), which spikes and checkerboards raise, unlike Horn's slope. A step is kept only if that slope fell and neither the Horn slope nor the number of spikes rose and no strip seam became steeper than the slope bound.

The final pit (mined, not refilled) has the seam floor at the bottom and walls at the working-side, end-wall and dump-side angles (20, 13, 8 degrees by default) rising to the DEM. Outside the mine area the output equals the DEM.

Numbers: mean and maximum slope (degrees, Horn) over the refilled area, and the mean before the mitigation; over the dump's interior (cells whose 3 x 3 window lies in the dump) the mean centre-inclusive step slope after and before the mitigation and the number of spikes (cells off the median of their 3 x 3 window by more than tan(25 degrees) x cell size); the largest relative volume error of any strip.</source>
      <translation>构建内排土场的 HPCS 近自然地貌（Xia 等，2023，第 2.3 节）：以原始子区构建 NNDL，以优化子区构建 MNNDL。

输入（同一栅格网格，高程单位 m，投影坐标系）：采前 DEM、最大与最小土方重塑地貌（式 1 至式 5）、可采煤层最底层底板、水文沟道提取的汇水子区（用于坡度缓和），以及“采复子区划定”输出的子区图层（字段 period、kind、v_supply；由 PLAN 选择其“optimized”条带构建 MNNDL，或“original”条带构建 NNDL）。

每个复填条带 n 在煤层底板以上恰好容纳其可用土方量 V_g（式 6，m3）。复填条带 n 的可用土方量取周期 n 复填要素的 v_supply（若已设置），否则取周期 n 开采要素的 v_supply。栅格归属于包含其中心的条带；条带宽度与栅格相差不大时，每个多边形的可用土方量按该多边形在各栅格中的面积分配给栅格化后的条带（总量不变）。V_g 超过 V_fmax（式 7）时，条带升高至 dem_max 以上（“抬升”）；V_g 低于 V_fmin（式 8）时，条带降至 dem_min 以下（“下沉”），但从不低于底板。

整个内排土场由一个连续表面覆盖，因此条带之间无台坎衔接：每个条带的体积准确，可用土方量位于 [V_fmin, V_fmax] 内时表面介于 [dem_min, dem_max]，超过 V_fmax 时不低于 dem_min，不足时不高于 dem_max。BLEND（高级）选择构建方法：“自然”（默认）在区间允许处保持原始自然地貌的形态及其水文沟道与分水岭：相对 DEM 的偏移 y = z - DEM 在相邻栅格之间以及朝向内排土场周边地面的单栅格步长平方和 (y_i - y_j)^2 / d^2 最小。“最缓”对 z 本身最小化同一平方和：坡度最低，但也会填平水文沟道。“最平滑插值”为 dem_min + t (dem_max - dem_min)，取最平滑的 t，会带入两个表面的尖峰。前两种方法在区间允许处削平土方重塑地貌的尖峰并填平洼坑。

坡度缓和（可选；论文的坡度缓和模块）：在各条带的汇水单元（条带 x 汇水子区）之间调运土方，保持体积不变，对含中心栅格的平均坡度（逐栅格取其四个单栅格步长梯度均值的角度）进行投影梯度下降；与 Horn 坡度不同，尖峰与棋盘状起伏会使该坡度增大。仅当该坡度降低、Horn 坡度与尖峰栅格数均未增加且没有条带接缝陡于坡度上限时，才保留该步骤。

最终矿坑（已开采、未复填）以煤层底板为坑底，帮坡按开采侧帮、端帮与内排侧帮坡角（默认 20°、13°、8°）升至 DEM。矿区范围外输出等于 DEM。

数值输出：复填区的平均与最大坡度（度，Horn 法）及坡度缓和前的平均坡度；内排土场内部（3 x 3 窗口位于内排土场内的栅格）坡度缓和后与缓和前的平均单步坡度（含中心栅格）以及尖峰栅格数（与其 3 x 3 窗口中值之差大于 tan(25°) x 栅格尺寸的栅格）；各条带的最大相对体积误差。</translation>
    </message>
    <message>
      <source>Natural: the pristine landform's shape, smoothest offset</source>
      <translation>自然：保持原始自然地貌形态，偏移最平滑</translation>
    </message>
    <message>
      <source>Gentlest: least squared one-cell steps</source>
      <translation>最缓：单栅格步长平方和最小</translation>
    </message>
    <message>
      <source>Smoothest blend t of dem_min and dem_max</source>
      <translation>dem_min 与 dem_max 的最平滑插值 t</translation>
    </message>
    <message>
      <source>Mean slope of the dump before mitigation (degrees)</source>
      <translation>坡度缓和前内排土场平均坡度（度）</translation>
    </message>
    <message>
      <source>Mean step slope of the dump's interior (degrees)</source>
      <translation>内排土场内部平均单步坡度（度）</translation>
    </message>
    <message>
      <source>Mean step slope of the dump's interior before mitigation (degrees)</source>
      <translation>坡度缓和前内排土场内部平均单步坡度（度）</translation>
    </message>
    <message>
      <source>Spikes in the dump's interior</source>
      <translation>内排土场内部尖峰栅格数</translation>
    </message>
  </context>
  <context>
    <name>PristineLandform</name>
    <message>
      <source>Pristine landform with the final pit</source>
      <translation>含最终矿坑的原始自然地貌</translation>
    </message>
    <message>
      <source>Cells in the final pit</source>
      <translation>最终矿坑栅格数</translation>
    </message>
    <message>
      <source>Volume cut out of the DEM (m3)</source>
      <translation>从 DEM 中挖除的体积（m3）</translation>
    </message>
    <message>
      <source>Deepest cut below the DEM (m)</source>
      <translation>低于 DEM 的最大挖深（m）</translation>
    </message>
    <message>
      <source>The plan has no final pit (every mined cell is refilled): the output is the DEM.</source>
      <translation>该方案没有最终矿坑（所有开采栅格均已复填）：输出即为 DEM。</translation>
    </message>
    <message>
      <source>Final pit in PNL: {0} cells, {1:.6g} m3 cut out of the DEM, deepest cut {2:.1f} m.</source>
      <translation>PNL 中的最终矿坑：{0} 个栅格，从 DEM 中挖除 {1:.6g} m3，最大挖深 {2:.1f} m。</translation>
    </message>
    <message>
      <source>Pristine landform with the final pit (PNL for erosion)</source>
      <translation>含最终矿坑的原始自然地貌（用于侵蚀对比的 PNL）</translation>
    </message>
    <message>
      <source>Cuts the final pit of the mine plan into the pre-mining DEM, so that the pristine landform (PNL) and the reshaped landforms are compared with the same pit at the same place (Xia et al. 2023, section 1.4: 'to exclude the final pit's influence, the same final pit is set at the same place in PNL'). Use the output as the reference (first layer) of 'Soil erosion comparison'.

Inputs (one grid, metres, projected CRS): the pre-mining DEM, the floor of the lowest minable seam and the sub-area layer of 'Mining/refilling sub-area delineation' (fields period, kind; PLAN picks its 'optimized' or 'original' strips; both plans of one delineation share the final pit).

The final pit is every cell mined and never refilled. Its surface is the one the near-natural and traditional landforms get: the seam floor at the bottom and plane walls rising from the floor to the DEM at the working-side, end-wall and dump-side angles (20, 13 and 8 degrees by default, the paper's Fig. 8): on a pit cell z = min(DEM, max(floor, max over the sides of DEM(rim) - L tan(angle))), L the distance (m) to that side's nearest rim cell. Every other cell, the refilled strips included, keeps the DEM's elevation.

Numbers: cells in the final pit, the volume cut out of the DEM (m3) and the deepest cut (m).</source>
      <translation>将开采计划的最终矿坑挖入采前 DEM，使原始自然地貌（PNL）与重塑地貌在同一位置具有相同的矿坑进行对比（Xia 等，2023，第 1.4 节：“为排除最终矿坑的影响，在 PNL 的相同位置设置相同的最终矿坑”）。将输出作为“土壤水蚀对比”的参照（第一个图层）。

输入（同一栅格网格，单位 m，投影坐标系）：采前 DEM、可采煤层最底层底板，以及“采复子区划定”输出的子区图层（字段 period、kind；由 PLAN 选择其“optimized”或“original”条带；同一次划定的两种方案共用最终矿坑）。

最终矿坑为已开采且从未复填的所有栅格。其表面与近自然地貌和传统地貌中的相同：以煤层底板为坑底，平面帮坡按开采侧帮、端帮与内排侧帮坡角（默认 20°、13° 与 8°，论文图 8）从底板升至 DEM：矿坑栅格上 z = min(DEM, max(floor, 各侧 DEM(rim) - L tan(angle) 的最大值))，DEM(rim) 为坑缘高程，angle 为该侧坡角，L 为至该侧最近坑缘栅格的距离（m）。其余所有栅格（包括已复填条带）保持 DEM 高程。

数值输出：最终矿坑栅格数、从 DEM 中挖除的体积（m3）与最大挖深（m）。</translation>
    </message>
  </context>
  <context>
    <name>ResilienceIndex</name>
    <message>
      <source>Normalisation of R1, R2, R3</source>
      <translation>R1、R2、R3 的标准化方法</translation>
    </message>
    <message>
      <source>Class breaks low/medium, medium/high (e.g. '0.4, 0.6'; empty = natural breaks)</source>
      <translation>分级断点：低/中、中/高（如“0.4, 0.6”；留空 = 自然断点）</translation>
    </message>
    <message>
      <source>Zone name field</source>
      <translation>分区名称字段</translation>
    </message>
    <message>
      <source>Baseline R (earlier index, same grid)</source>
      <translation>基期 R（早期指数，同一栅格网格）</translation>
    </message>
    <message>
      <source>Resilience index R</source>
      <translation>韧性指数 R</translation>
    </message>
    <message>
      <source>Resilience classes (1 low, 2 medium, 3 high)</source>
      <translation>韧性等级（1 低，2 中，3 高）</translation>
    </message>
    <message>
      <source>Change R - baseline (only with a baseline)</source>
      <translation>变化量 R - 基期（仅在提供基期时）</translation>
    </message>
    <message>
      <source>Zone statistics table</source>
      <translation>分区统计表</translation>
    </message>
    <message>
      <source>Break low/medium used</source>
      <translation>采用的低/中断点</translation>
    </message>
    <message>
      <source>Break medium/high used</source>
      <translation>采用的中/高断点</translation>
    </message>
    <message>
      <source>Mean R</source>
      <translation>R 均值</translation>
    </message>
    <message>
      <source>Class breaks ({0}): low &lt;= {1:.6g} &lt; medium &lt;= {2:.6g} &lt; high.</source>
      <translation>分级断点（{0}）：低 ≤ {1:.6g} ＜ 中 ≤ {2:.6g} ＜ 高。</translation>
    </message>
    <message>
      <source>Ecological resilience index</source>
      <translation>生态韧性指数</translation>
    </message>
    <message>
      <source>Ecological resilience of a mining area from three rasters, after Tang (resilience assessment, section 3.2):

    R = W1 R1 + W2 R2 + W3 R3   (paper: R = 0.4 R1 + 0.3 R2 + 0.3 R3)

R1 = ecosystem resistance, R2 = source resilience, R3 = corridor adaptability (unitless scores, higher = more resilient, on the same grid). The weights must sum to 1 (tolerance 1e-6).

Normalisation (over the cells where all three rasters have data):
- None: the values are used as they are (the paper's formula; use when the three scores are already on one scale).
- Min-max: (x - min) / (max - min), 0..1.
- Z-score then logistic: z = (x - mean) / sd, then 1 / (1 + exp(-z)), 0..1; robust to outliers.
A constant raster scores 0.5 with both.

Classes: 1 low, 2 medium, 3 high. Give two breaks b1, b2 (e.g. '0.4, 0.6': R up to b1 is low, above b1 up to b2 medium, above b2 high; a value equal to a break goes to the lower class) or leave empty for natural breaks (Jenks: the split that minimises the within-class sum of squared deviations, computed exactly on the distinct values of R, or on 1000 equal-width bins of R when there are more).

Zones (optional polygons, e.g. restoration units): a CSV table with one row per polygon (named by the zone field, else 'feature n') and a row 'ALL' for the whole raster: cells, area (m2), area with data, mean / min / max R and the share (%) of low / medium / high. A cell belongs to a zone when its centre is inside.

Baseline (optional): an earlier R raster on the same grid (e.g. from 3 to 5 years before, the paper's monitoring period): the change raster R - baseline and, in the table, the mean baseline, mean R now and mean / min / max change per zone.</source>
      <translation>依据 Tang（韧性评价，第 3.2 节），由三个栅格计算矿区生态韧性：

    R = W1 R1 + W2 R2 + W3 R3   （论文：R = 0.4 R1 + 0.3 R2 + 0.3 R3）

R1 = 生态系统抵抗力，R2 = 生态源地恢复力，R3 = 生态廊道适应力（无量纲得分，越高韧性越强，位于同一栅格网格）。权重之和须为 1（容差 1e-6）。

标准化（在三个栅格均有数据的栅格上计算）：
- 不标准化：按原值使用（论文公式；三个得分已处于同一量纲时使用）。
- 最小-最大值标准化：(x - min) / (max - min)，0..1。
- Z 分数后接 logistic 变换：z = (x - mean) / sd，再取 1 / (1 + exp(-z))，0..1；对异常值稳健。
两种标准化下常数栅格得分均为 0.5。

等级：1 低，2 中，3 高。给出两个断点 b1、b2（如“0.4, 0.6”：R 不超过 b1 为低，大于 b1 且不超过 b2 为中，大于 b2 为高；等于断点的值归入较低等级），或留空采用自然断点（Jenks：使组内离差平方和最小的划分，在 R 的不同取值上精确计算；取值过多时在 R 的 1000 个等宽区间上计算）。

分区（可选的面，如修复单元）：CSV 表每个面一行（以分区名称字段命名，否则为“feature n”），另有一行“ALL”表示整个栅格：栅格数、面积（m2）、有数据面积、R 的均值 / 最小值 / 最大值，以及低 / 中 / 高等级的占比（%）。栅格中心位于面内的栅格归属该分区。

基期（可选）：同一栅格网格上较早的 R 栅格（如 3 至 5 年前，即论文的监测期）：输出变化栅格 R - 基期，并在表中给出各分区的基期均值、当前 R 均值以及变化量的均值 / 最小值 / 最大值。</translation>
    </message>
    <message>
      <source>R1: ecosystem resistance</source>
      <translation>R1：生态系统抵抗力</translation>
    </message>
    <message>
      <source>R2: source resilience</source>
      <translation>R2：生态源地恢复力</translation>
    </message>
    <message>
      <source>R3: corridor adaptability</source>
      <translation>R3：生态廊道适应力</translation>
    </message>
    <message>
      <source>None (use the values as they are)</source>
      <translation>不标准化（按原值使用）</translation>
    </message>
    <message>
      <source>Min-max (0-1)</source>
      <translation>最小-最大值标准化（0-1）</translation>
    </message>
    <message>
      <source>Z-score then logistic (0-1)</source>
      <translation>Z 分数后接 logistic 变换（0-1）</translation>
    </message>
    <message>
      <source>Weight W1 of R1</source>
      <translation>R1 的权重 W1</translation>
    </message>
    <message>
      <source>Weight W2 of R2</source>
      <translation>R2 的权重 W2</translation>
    </message>
    <message>
      <source>Weight W3 of R3</source>
      <translation>R3 的权重 W3</translation>
    </message>
  </context>
  <context>
    <name>SubareaDelineation</name>
    <message>
      <source>Pit length (m; blank = the smallest that meets the safe distance)</source>
      <translation>矿坑长度（m；留空 = 满足安全跟踪距离的最小值）</translation>
    </message>
    <message>
      <source>Tracking distance (m)</source>
      <translation>矿坑跟踪距离（m）</translation>
    </message>
    <message>
      <source>Inner-dump slope angle (degrees)</source>
      <translation>内排侧帮坡角（度）</translation>
    </message>
    <message>
      <source>Working slope angle (degrees)</source>
      <translation>开采侧帮坡角（度）</translation>
    </message>
    <message>
      <source>Optimize the delineation (Fig. 7)</source>
      <translation>优化采复子区划定（图 7）</translation>
    </message>
    <message>
      <source>Sub-areas (strips)</source>
      <translation>采复子区（条带）</translation>
    </message>
    <message>
      <source>Table per period (CSV)</source>
      <translation>各周期统计表（CSV）</translation>
    </message>
    <message>
      <source>CSV files (*.csv)</source>
      <translation>CSV 文件 (*.csv)</translation>
    </message>
    <message>
      <source>Supply-demand chart (HTML)</source>
      <translation>土方供需图（HTML）</translation>
    </message>
    <message>
      <source>HTML files (*.html)</source>
      <translation>HTML 文件 (*.html)</translation>
    </message>
    <message>
      <source>sum V_fmax / sum V_fmin = {0:.4f} (the room between the maximum and minimum earthwork surfaces).</source>
      <translation>sum V_fmax / sum V_fmin = {0:.4f}（最大与最小土方重塑地貌之间的容量）。</translation>
    </message>
    <message>
      <source>Pit length {0:.1f} m ({1}); {2} periods; box cut supply {3:,.0f} m3 (to an outside dump).</source>
      <translation>矿坑长度 {0:.1f} m（{1}）；{2} 个周期；拉沟土方量 {3:,.0f} m3（运往外排土场）。</translation>
    </message>
    <message>
      <source>smallest safe</source>
      <translation>满足安全距离的最小值</translation>
    </message>
    <message>
      <source>given</source>
      <translation>用户给定</translation>
    </message>
    <message>
      <source>Optimized: cases </source>
      <translation>已优化：情形 </translation>
    </message>
    <message>
      <source>Mining/refilling sub-area delineation</source>
      <translation>采复子区划定</translation>
    </message>
    <message>
      <source>Delineates the mining and refilling sub-areas (strips) of an open-pit mine plan and optimizes them so that every period's spoil fits the hydrologically acceptable landform (Xia et al. 2023, sections 1.1.1, 1.1.3, 1.1.4, eq. 6 to 9, Fig. 2, 7, 8).

Inputs on one grid (metres, projected CRS): the pre-mining DEM, the floor elevation of the lowest minable seam, the minable coal thickness, and the maximum and minimum earthwork surfaces (hpcs:earthworksurfaces); the mine area polygon.

Strips are perpendicular to the mining direction (degrees clockwise from north; 270 = the pit advances due west). The pit length P is the open pit between the refilling front and the mining face; blank = the smallest that keeps the safe distance in every period (of the optimized plan when optimizing). The box cut (the first P metres) is mined before period 1 and its spoil goes to an outside dump; period n mines one strip and refills one strip P metres behind it with that spoil; the last P metres are the final pit, mined but not refilled.

Volumes (m3, cells shared between strips by their exact area share): eq. 6 supply V_g = k (DEM - thickness - floor); eq. 7 V_fmax = SURFACE_MAX - floor; eq. 8 V_fmin = SURFACE_MIN - floor (k on the supply only). The plan is feasible when sum V_g lies in [sum V_fmin, sum V_fmax]; otherwise the algorithm stops with the numbers (or, without optimization, reports them). A surface below the seam floor counts as needing no fill there (with a warning). Eq. 9 safe distance: for every line across the pit, (DEM - floor) / tan(dump slope) at the refilling strip's pit-side edge (the paper's dem_orfn: the near-natural landform restores the pre-mining surface) + tracking distance + (DEM - floor) / tan(working slope) at the mining strip's near edge; L_tn is the largest. The gap between the strips (refilling edge to mining strip) must be &gt;= L_tn.

Optimization (Fig. 7), period by period: (a) supply short, gap safe: the mining strip's far edge moves forward; (b) short, gap unsafe: the refilling strip's pit-side edge moves back; (c) excess, safe: the mining far edge moves back; (d) excess, unsafe: both move back; until V_g is within [V_fmin, V_fmax] and V_g / V_fmin equals sum V_g / sum V_fmin (1 % tolerance). Each move is a search on the cumulative volume along the mining axis. Strips stay contiguous; totals do not change.

Outputs: the strips (kind mining / refilling, plus the box cut and the final pit) with their period, width, volumes, safe distance, case and status, for the original plan and, with OPTIMIZE, the optimized one (field 'plan'); the same per period as CSV; an HTML chart of V_g, V_fmin and V_fmax per period before and after optimization; the totals and the number of periods.</source>
      <translation>划定露天矿开采计划中的开采子区与复填子区（条带），并进行优化，使每个周期的排弃土方都能被水文上可接受的地貌所容纳（Xia 等，2023，第 1.1.1、1.1.3、1.1.4 节，式 6 至式 9，图 2、7、8）。

输入（同一栅格网格，单位 m，投影坐标系）：采前 DEM、可采煤层最底层底板高程、可采煤层厚度，以及最大与最小土方重塑地貌（hpcs:earthworksurfaces）；矿区范围面。

条带垂直于开采方向（自正北顺时针的角度；270 = 矿坑向正西推进）。矿坑长度 P 为复填前沿与开采工作面之间的敞开矿坑长度；留空 = 各周期均满足安全距离的最小值（优化时针对优化后的方案）。拉沟段（前 P 米）在周期 1 之前开采，其排弃土运往外排土场；周期 n 开采一个条带，并以该条带的土方复填其后方 P 米处的一个条带；最后 P 米为最终矿坑，已开采但不复填。

土方量（m3，跨条带的栅格按精确面积比例分配）：式 6 可用土方量 V_g = k (DEM - 厚度 - 底板)；式 7 V_fmax = SURFACE_MAX - 底板；式 8 V_fmin = SURFACE_MIN - 底板（k 仅作用于可用土方量）。当 sum V_g 位于 [sum V_fmin, sum V_fmax] 内时方案可行；否则算法停止并给出相应数值（不优化时仅报告）。表面低于煤层底板处视为无需回填（并给出警告）。式 9 安全距离：对横跨矿坑的每条线，取复填条带矿坑侧边缘处的 (DEM - 底板) / tan(内排侧帮坡角)（论文中的 dem_orfn：近自然地貌恢复采前地表）+ 矿坑跟踪距离 + 开采条带近侧边缘处的 (DEM - 底板) / tan(开采侧帮坡角)；L_tn 取其最大值。条带间距（复填条带边缘至开采条带）须 ≥ L_tn。

优化（图 7），逐周期进行：(a) 土方不足、间距安全：开采条带远侧边界前移；(b) 不足、间距不安全：复填条带矿坑侧边界后移；(c) 土方过剩、安全：开采条带远侧边界后移；(d) 过剩、不安全：两者均后移；直至 V_g 位于 [V_fmin, V_fmax] 内且 V_g / V_fmin 等于 sum V_g / sum V_fmin（容差 1 %）。每次移动均沿开采轴在累计土方量上搜索。条带保持相邻连续；总量不变。

输出：条带（kind 为 mining / refilling，另含拉沟段与最终矿坑），含周期、宽度、土方量、安全距离、情形与状态，包括原始方案以及（启用 OPTIMIZE 时）优化方案（字段 plan）；同样内容的逐周期 CSV；各周期优化前后 V_g、V_fmin 与 V_fmax 的 HTML 图表；总量与周期数。</translation>
    </message>
    <message>
      <source>Total supply sum V_g (m3)</source>
      <translation>可用土方总量 sum V_g（m3）</translation>
    </message>
    <message>
      <source>Total minimum demand sum V_fmin (m3)</source>
      <translation>所需土方总量下限 sum V_fmin（m3）</translation>
    </message>
    <message>
      <source>Total maximum demand sum V_fmax (m3)</source>
      <translation>所需土方总量上限 sum V_fmax（m3）</translation>
    </message>
    <message>
      <source>sum V_g / sum V_fmin</source>
      <translation>可用土方总量与所需土方总量下限之比 sum V_g / sum V_fmin</translation>
    </message>
    <message>
      <source>sum V_fmax / sum V_fmin (width of the band between the surfaces)</source>
      <translation>sum V_fmax / sum V_fmin（两表面之间区间的宽度）</translation>
    </message>
    <message>
      <source>Number of periods</source>
      <translation>周期数</translation>
    </message>
    <message>
      <source>Pit length used (m)</source>
      <translation>采用的矿坑长度（m）</translation>
    </message>
    <message>
      <source>Periods meeting every constraint (final plan)</source>
      <translation>满足全部约束的周期数（最终方案）</translation>
    </message>
  </context>
  <context>
    <name>TraditionalLandform</name>
    <message>
      <source>Per-strip design: steepen walls / benches on the neighbours' platforms / narrower berms / share platforms where a strip cannot hold its supply</source>
      <translation>逐条带设计：条带无法容纳其可用土方量时，加陡帮坡 / 将台阶落在相邻条带平台上 / 缩窄台阶平台 / 共用平台</translation>
    </message>
    <message>
      <source>period  platform (m)  wall (degrees)  berm (m)  cells of other strips under its benches  supply (m3)  held (m3)  volume on its cells (m3)  error of its platform  error of its cells vs supply</source>
      <translation>周期  平台 (m)  帮坡角 (度)  台阶平台 (m)  其台阶下的其他条带栅格数  可用土方量 (m3)  容纳量 (m3)  其栅格上的土方量 (m3)  其平台的误差  其栅格相对可用土方量的误差</translation>
    </message>
    <message>
      <source>Design</source>
      <translation>设计方式</translation>
    </message>
    <message>
      <source>Bench face angle (degrees)</source>
      <translation>台阶坡面角（度）</translation>
    </message>
    <message>
      <source>Berm width (m)</source>
      <translation>平台宽度（m）</translation>
    </message>
    <message>
      <source>Traditional landform</source>
      <translation>传统地貌</translation>
    </message>
    <message>
      <source>Platform levels per strip (CSV beside the landform)</source>
      <translation>逐条带平台高程（地貌旁的 CSV）</translation>
    </message>
    <message>
      <source>Design {0}: highest platform {1:.2f} m; volume {2:.6g} m3 for a supply of {3:.6g} m3; mean slope {4:.2f} degrees (Horn), {5:.2f} (step), {6} spike(s).</source>
      <translation>设计方式 {0}：最高平台 {1:.2f} m；土方量 {2:.6g} m3，可用土方量 {3:.6g} m3；平均坡度 {4:.2f}°（Horn），{5:.2f}°（单步），尖峰栅格 {6} 个。</translation>
    </message>
    <message>
      <source>Per-strip platforms cannot be built here: {0} The single-platform design was built.</source>
      <translation>此处无法构建逐条带平台：{0} 已改为构建单一平台设计。</translation>
    </message>
    <message>
      <source>Strips {0} to {1} share one platform: a strip among them cannot hold its supply on its own under its benches.</source>
      <translation>条带 {0} 至 {1} 共用一个平台：其中有条带无法在自身台阶范围内独立容纳其可用土方量。</translation>
    </message>
    <message>
      <source>Strips whose benches stand on their neighbours' platforms (their earth on the neighbours' cells counts as theirs): {0}; strips with narrower berms than BERM_WIDTH (their supply does not fit inside them otherwise): {1}. See the CSV.</source>
      <translation>台阶落在相邻条带平台上的条带（其排弃在相邻条带栅格上的土方计入其自身）：{0}；台阶平台窄于 BERM_WIDTH 的条带（否则其可用土方量无法容纳于条带内）：{1}。详见 CSV。</translation>
    </message>
    <message>
      <source>Traditional terraced landform</source>
      <translation>传统台阶式地貌</translation>
    </message>
    <message>
      <source>Builds the traditional terraced dump (TDL, the paper's 'step-like' landform) with the same earth and the same final pit as the near-natural landform.

Inputs (one grid, metres, projected CRS): the pre-mining DEM, the floor of the lowest minable seam and the sub-area layer (fields period, kind, v_supply; PLAN picks its 'optimized' or 'original' strips).

DESIGN 'Per-strip platforms' (default): each refilling strip holds its own period's supply V_g (v_supply, eq. 6, m3; shared by area where strips are not much wider than a cell) on a flat platform at the level that holds it. The dump is built up from the seam floor in lifts of BENCH_HEIGHT (m): berms at the lift levels. Where a platform stands above its neighbour strip or the ground around it, the drop is made of benches inside the strip (faces at FACE_ANGLE, degrees; berms of BERM_WIDTH, m); where it stands below the ground, the wall rises inside the strip at the dump-side angle DUMP_ANGLE (the paper's inner-dump side, 8 degrees). Each strip's level is solved exactly for its volume above the floor, so the staircase along the mining direction shows the supply of the plan period by period. 'Single platform': one flat top for the whole dump holds the total supply, with benches from the dump's edge (berms every bench height below the top).

ADAPT (per-strip design, default on): where a strip cannot hold its supply, in this order: its walls at DUMP_ANGLE are set at FACE_ANGLE where they would hold more than its supply; where its benches meet before its platform holds it, the toe of its benches moves out onto the platforms of the settled strips around it (up to 4 cells; the earth dumped on their cells counts as this strip's, so its platform still holds exactly its supply); else its berms are narrowed to the widest that hold the supply inside it; else, with no berms, its benches move out up to 64 cells; else it shares one platform with its neighbour (the next period first), the pair holding their summed supply, and so on; if even one platform over the whole dump cannot hold the supply, the single-platform design is built. All of it is logged and listed in the CSV (berm, cells of other strips under its benches, volume held); off, such a strip stops the run with an error naming it.

The final pit (mined, not refilled) has the floor at the bottom and walls at 20 / 13 / 8 degrees (working side / end walls / dump side) rising to the DEM; outside the mine area the output equals the DEM.

Outputs: the landform, a CSV beside it (NAME_levels.csv, NAME the landform file's name) of the platform level, platform group, wall angle, supply, volume and volume errors of every strip, the mean slope of the dump (degrees, Horn; and the centre-inclusive step slope and spike count over the dump's interior), the highest platform (m), the largest relative volume error of a strip against its own supply and the number of strips sharing a platform.</source>
      <translation>以与近自然地貌相同的土方量和相同的最终矿坑，构建传统台阶式内排土场（TDL，即论文中的“阶梯状”地貌）。

输入（同一栅格网格，单位 m，投影坐标系）：采前 DEM、可采煤层最底层底板以及子区图层（字段 period、kind、v_supply；PLAN 选择其“优化”或“原始”条带）。

DESIGN“逐条带平台”（默认）：每个复填条带在一个水平平台上容纳其所属周期的可用土方量 V_g（v_supply，式 6，m3；条带宽度不明显大于栅格时按面积分摊），平台高程取恰好容纳该土方量的高度。内排土场自煤层底板起按 BENCH_HEIGHT（m）分层堆筑：台阶平台位于各分层高程处。平台高于相邻条带或其周围地面时，高差由条带内的台阶构成（坡面角 FACE_ANGLE，度；台阶平台宽 BERM_WIDTH，m）；平台低于地面时，帮坡在条带内以内排侧帮坡角 DUMP_ANGLE（论文中的内排土场侧，8 度）升起。各条带的高程按其在底板以上的土方量精确求解，因此沿开采方向的阶梯逐周期反映方案的可用土方量。“单一平台”：整个内排土场以一个水平顶面容纳可用土方总量，台阶自内排土场边缘起（顶面以下每隔一个台阶高度设台阶平台）。

ADAPT（逐条带设计，默认开启）：条带无法容纳其可用土方量时，依次：其按 DUMP_ANGLE 设置的帮坡在改为 FACE_ANGLE 后可容纳超过其可用土方量之处改为 FACE_ANGLE；若其台阶在平台容纳该土方量之前即已相交，则其台阶坡脚外移至周围已确定条带的平台上（最多 4 个栅格；排弃在这些条带栅格上的土方计入本条带，因此其平台仍恰好容纳其可用土方量）；否则将其台阶平台缩窄至能在条带内容纳可用土方量的最大宽度；否则取消台阶平台，其台阶外移最多 64 个栅格；否则与相邻条带（优先下一周期）共用一个平台，二者共同容纳可用土方量之和，依此类推；若连覆盖整个内排土场的一个平台也无法容纳可用土方量，则构建单一平台设计。所有调整均记录在日志中并列于 CSV（台阶平台、其台阶下的其他条带栅格数、容纳量）；关闭时，此类条带将使运行终止，并报错指明该条带。

最终矿坑（已开采、未复填）以底板为坑底，帮坡角为 20 / 13 / 8 度（开采侧帮 / 端帮 / 内排侧帮），升至 DEM；矿区范围以外输出等于 DEM。

输出：地貌；其旁的 CSV（NAME_levels.csv，NAME 为地貌文件名），列出各条带的平台高程、平台组、帮坡角、可用土方量、土方量及土方量误差；内排土场平均坡度（度，Horn；以及内排土场内部含中心栅格的单步坡度与尖峰栅格数）；最高平台（m）；条带相对其自身可用土方量的最大相对体积误差；以及共用平台的条带数。</translation>
    </message>
    <message>
      <source>Per-strip platforms (each strip holds its own supply)</source>
      <translation>逐条带平台（各条带容纳自身的可用土方量）</translation>
    </message>
    <message>
      <source>Single platform (the whole dump holds the total supply)</source>
      <translation>单一平台（整个内排土场容纳可用土方总量）</translation>
    </message>
    <message>
      <source>Mean slope of the dump (degrees)</source>
      <translation>内排土场平均坡度（度）</translation>
    </message>
    <message>
      <source>Mean step slope of the dump interior (degrees)</source>
      <translation>内排土场内部平均单步坡度（度）</translation>
    </message>
    <message>
      <source>Spikes in the dump interior (cells)</source>
      <translation>内排土场内部尖峰栅格数（栅格）</translation>
    </message>
    <message>
      <source>Top platform elevation (m)</source>
      <translation>顶部平台高程（m）</translation>
    </message>
    <message>
      <source>Largest relative volume error of a strip</source>
      <translation>条带最大相对体积误差</translation>
    </message>
    <message>
      <source>Strips sharing a platform with a neighbour</source>
      <translation>与相邻条带共用平台的条带数</translation>
    </message>
  </context>
  <context>
    <name>hpcs_construction</name>
    <message>
      <source>HPCS construction outputs: contours, cut/fill and earthwork schedule</source>
      <translation>HPCS 施工成果：等高线、挖填方与土方施工计划</translation>
    </message>
    <message>
      <source>HPCS Landform plugin (scripts/build_construction_model.py)</source>
      <translation>HPCS 地貌重塑插件（scripts/build_construction_model.py）</translation>
    </message>
    <message>
      <source>What the surveyors and the earthworks contractor need, for each of the three landforms of the HPCS pipeline (NNDL and TDL on the original plan, MNNDL on the optimized plan): the design contours inside the mine area at the chosen interval (GDAL contour: 3-D lines with the elevation in the field ELEV, as a GeoPackage, and converted by ogr2ogr to a DXF drawing whose lines carry the elevation as z), the cut/fill against the pre-mining DEM (difference raster and cut, fill and net volumes in m3) and the earthwork schedule per period (volume moved from each mining strip to its refilling strip, the elevations stripped and built lift by lift, the mean haul distance, eq. 13 of Xia et al. 2023).

Inputs are the pipeline's inputs and outputs: give its landforms NNDL:NNDL, MNNDL:MNNDL, TDL:TDL and its sub-area layer SUBAREAS:SUBAREAS, with the same K. Name the DXF outputs with the extension .dxf.</source>
      <translation>为 HPCS 流程的三种地貌（NNDL 与 TDL 采用原始方案，MNNDL 采用优化方案）分别提供测量人员与土方施工单位所需的成果：矿区范围内按所选等高距生成的设计等高线（GDAL contour：三维线，高程存于字段 ELEV，输出为 GeoPackage，并由 ogr2ogr 转换为 DXF 图纸，其线以高程为 z 值）、相对采前 DEM 的挖填方（差值栅格以及挖方、填方与净方量，m3），以及各周期的土方施工计划（从各开采条带运至其复填条带的土方量、逐分层剥离与回填的高程、土方平均运距，Xia 等 2023 式 13）。

输入即流程的输入与输出：提供其地貌 NNDL:NNDL、MNNDL:MNNDL、TDL:TDL 及其子区图层 SUBAREAS:SUBAREAS，并采用相同的 K。DXF 输出的文件名请使用扩展名 .dxf。</translation>
    </message>
    <message>
      <source>Height of the lifts the strips are stripped and built in, metres.</source>
      <translation>剥离与回填条带所用的分层高度，单位 m。</translation>
    </message>
    <message>
      <source>Vertical distance between two design contours, metres.</source>
      <translation>相邻两条设计等高线之间的高差，单位 m。</translation>
    </message>
    <message>
      <source>Spoil swell ratio k (eq. 6): use the value the landforms were built with.</source>
      <translation>实际土方量与剥离量之比 k（式 6）：请采用构建地貌时使用的值。</translation>
    </message>
    <message>
      <source>Pre-mining DEM (PNL; elevation in m, projected CRS)</source>
      <translation>采前 DEM（PNL；高程 m，投影坐标系）</translation>
    </message>
    <message>
      <source>Floor of the lowest minable seam (elevation, m, on the DEM grid)</source>
      <translation>可采煤层最底层底板（高程 m，与 DEM 同网格）</translation>
    </message>
    <message>
      <source>Minable coal thickness (m, on the DEM grid)</source>
      <translation>可采煤层厚度（m，与 DEM 同网格）</translation>
    </message>
    <message>
      <source>Sub-areas, original and optimized plans (the pipeline's SUBAREAS)</source>
      <translation>采复子区，原始与优化方案（流程的 SUBAREAS）</translation>
    </message>
    <message>
      <source>NNDL landform (near-natural, original plan)</source>
      <translation>NNDL 地貌（近自然地貌，原始方案）</translation>
    </message>
    <message>
      <source>MNNDL landform (near-natural, optimized plan)</source>
      <translation>MNNDL 地貌（近自然地貌，优化方案）</translation>
    </message>
    <message>
      <source>TDL landform (traditional, original plan)</source>
      <translation>TDL 地貌（传统地貌，原始方案）</translation>
    </message>
    <message>
      <source>Contour interval (m)</source>
      <translation>等高距（m）</translation>
    </message>
    <message>
      <source>k, ratio of spoil to stripped volume</source>
      <translation>k，实际土方量与剥离量之比</translation>
    </message>
    <message>
      <source>Bench (lift) height of the schedule (m)</source>
      <translation>施工计划的台阶（分层）高度（m）</translation>
    </message>
    <message>
      <source>Design contours, MNNDL, near-natural landform, optimized plan (GeoPackage)</source>
      <translation>设计等高线，MNNDL，近自然地貌，优化方案（GeoPackage）</translation>
    </message>
    <message>
      <source>Design contours, NNDL, near-natural landform, original plan (GeoPackage)</source>
      <translation>设计等高线，NNDL，近自然地貌，原始方案（GeoPackage）</translation>
    </message>
    <message>
      <source>Design contours, TDL, traditional landform, original plan (GeoPackage)</source>
      <translation>设计等高线，TDL，传统地貌，原始方案（GeoPackage）</translation>
    </message>
    <message>
      <source>Cut/fill of MNNDL against PNL (m)</source>
      <translation>MNNDL 相对 PNL 的挖填方（m）</translation>
    </message>
    <message>
      <source>Cut/fill of MNNDL against PNL (CSV)</source>
      <translation>MNNDL 相对 PNL 的挖填方（CSV）</translation>
    </message>
    <message>
      <source>Cut/fill of NNDL against PNL (m)</source>
      <translation>NNDL 相对 PNL 的挖填方（m）</translation>
    </message>
    <message>
      <source>Cut/fill of NNDL against PNL (CSV)</source>
      <translation>NNDL 相对 PNL 的挖填方（CSV）</translation>
    </message>
    <message>
      <source>Cut/fill of TDL against PNL (m)</source>
      <translation>TDL 相对 PNL 的挖填方（m）</translation>
    </message>
    <message>
      <source>Cut/fill of TDL against PNL (CSV)</source>
      <translation>TDL 相对 PNL 的挖填方（CSV）</translation>
    </message>
    <message>
      <source>Design contours, MNNDL, near-natural landform, optimized plan (DXF: name a .dxf file)</source>
      <translation>设计等高线，MNNDL，近自然地貌，优化方案（DXF：文件名请以 .dxf 结尾）</translation>
    </message>
    <message>
      <source>Design contours, NNDL, near-natural landform, original plan (DXF: name a .dxf file)</source>
      <translation>设计等高线，NNDL，近自然地貌，原始方案（DXF：文件名请以 .dxf 结尾）</translation>
    </message>
    <message>
      <source>Design contours, TDL, traditional landform, original plan (DXF: name a .dxf file)</source>
      <translation>设计等高线，TDL，传统地貌，原始方案（DXF：文件名请以 .dxf 结尾）</translation>
    </message>
    <message>
      <source>Earthwork schedule, every lift, MNNDL (CSV)</source>
      <translation>土方施工计划，逐分层，MNNDL（CSV）</translation>
    </message>
    <message>
      <source>Earthwork schedule per period, MNNDL (CSV)</source>
      <translation>各周期土方施工计划，MNNDL（CSV）</translation>
    </message>
    <message>
      <source>Earthwork schedule, every lift, NNDL (CSV)</source>
      <translation>土方施工计划，逐分层，NNDL（CSV）</translation>
    </message>
    <message>
      <source>Earthwork schedule per period, NNDL (CSV)</source>
      <translation>各周期土方施工计划，NNDL（CSV）</translation>
    </message>
    <message>
      <source>Earthwork schedule, every lift, TDL (CSV)</source>
      <translation>土方施工计划，逐分层，TDL（CSV）</translation>
    </message>
    <message>
      <source>Earthwork schedule per period, TDL (CSV)</source>
      <translation>各周期土方施工计划，TDL（CSV）</translation>
    </message>
  </context>
  <context>
    <name>hpcs_pipeline</name>
    <message>
      <source>HPCS pipeline: pristine to optimized near-natural landform</source>
      <translation>HPCS 流程：由原始自然地貌到优化的近自然地貌</translation>
    </message>
    <message>
      <source>HPCS Landform plugin (scripts/build_pipeline_model.py)</source>
      <translation>HPCS 地貌重塑插件（scripts/build_pipeline_model.py）</translation>
    </message>
    <message>
      <source>The whole HPCS workflow of Xia et al. (2023) on one mine plan: channels and ridges of the pre-mining landform (PNL) -&gt; hydrological cell classes inside the mine area -&gt; minimum and maximum earthwork surfaces -&gt; mining/refilling sub-areas of the original plan (equal strips) and of the optimized plan -&gt; the near-natural landform of the original plan (NNDL), of the optimized plan (MNNDL) and the traditional landform (TDL, original plan) -&gt; hydrological fusion rate and haul distance of each landform -&gt; PNL with the final pit -&gt; soil erosion of PNL, NNDL, MNNDL and TDL over the dump -&gt; comparison report.

The outputs are what a planner keeps: the three landforms over a hillshade of PNL, the sub-areas with both plans, the channels of PNL and of each landform and the report; a Toolbox run opens them, styled, in one layer group. Every other step writes a temporary file: run 'HPCS pipeline, every intermediate output' (hpcs:hpcs_pipeline_full) or the single steps to keep them. The delineation runs once with the optimization, so its layer holds both plans on the same final pit: NNDL and TDL are built and evaluated on the original plan, MNNDL on the optimized one.

k defaults to 1.05: the plan must carry a little more spoil than the minimum earthwork surface needs (sum V_g &gt;= sum V_fmin); on the bundled sample plan it is infeasible with k = 1. The erosion reference is PNL with the same final pit at the same place as the landforms (the paper's section 1.4); erosion is summed over the dump (the refilling strips of the optimized plan).</source>
      <translation>在一个开采计划上运行 Xia 等（2023）的完整 HPCS 工作流程：采前地貌（PNL）的水文沟道与分水岭 → 矿区范围内的水文栅格分类 → 最小与最大土方重塑地貌 → 原始方案（等宽条带）与优化方案的采复子区 → 原始方案的近自然地貌（NNDL）、优化方案的近自然地貌（MNNDL）以及传统地貌（TDL，原始方案）→ 各地貌的水文融合率与运距 → 含最终矿坑的 PNL → PNL、NNDL、MNNDL 与 TDL 在内排土场上的土壤侵蚀 → 对比报告。

输出为规划人员需要保留的结果：叠加在 PNL 山体阴影图上的三种地貌、含两种方案的采复子区、PNL 及各地貌的水文沟道以及报告；在工具箱中运行时，这些结果会设置好样式并在同一图层组中打开。其他各步骤均写入临时文件：如需保留，请运行“HPCS 流程（输出全部中间结果）”（hpcs:hpcs_pipeline_full）或单独运行各步骤。采复子区划定在启用优化的情况下运行一次，因此其图层在同一最终矿坑上包含两种方案：NNDL 与 TDL 基于原始方案构建和评价，MNNDL 基于优化方案。

k 默认为 1.05：方案的排弃土方量须略多于最小土方重塑地貌所需（sum V_g ≥ sum V_fmin）；在附带的示例方案上，k = 1 时方案不可行。侵蚀对比的参照为在与各地貌相同位置设置相同最终矿坑的 PNL（论文第 1.4 节）；侵蚀量在内排土场（优化方案的复填条带）上求和。</translation>
    </message>
    <message>
      <source>Pre-mining DEM (PNL) in metres, projected CRS in metres.</source>
      <translation>采前 DEM（PNL），单位 m，米制投影坐标系。</translation>
    </message>
    <message>
      <source>Azimuth of mining advance, degrees clockwise from north (270 = west).</source>
      <translation>开采推进方位角，自正北顺时针起算，单位度（270 = 正西）。</translation>
    </message>
    <message>
      <source>Elevation of the floor of the lowest minable seam, on the DEM's grid.</source>
      <translation>可采煤层最底层底板高程，位于 DEM 的栅格网格上。</translation>
    </message>
    <message>
      <source>Spoil swell ratio k (eq. 6): actual spoil volume / stripped bank volume.</source>
      <translation>实际土方量与剥离量之比 k（式 6）：实际排弃土方体积 / 剥离实方体积。</translation>
    </message>
    <message>
      <source>The mine (lease) polygon: the reshaping area of the classification and the area the strips are laid out in.</source>
      <translation>矿区（矿权）范围面：既是水文栅格分类的重塑区，也是布设条带的区域。</translation>
    </message>
    <message>
      <source>Length of the final pit along the mining direction, metres (the working pit between the refilled and the mined strips). Blank: the smallest pit whose gaps meet the safe distance of eq. 9 in every period.</source>
      <translation>最终矿坑沿开采方向的长度，单位 m（复填条带与开采条带之间的工作矿坑）。留空：取各周期条带间距均满足式 9 安全距离的最小矿坑长度。</translation>
    </message>
    <message>
      <source>Width of the original (equal) strips, metres.</source>
      <translation>原始（等宽）条带的宽度，单位 m。</translation>
    </message>
    <message>
      <source>Minable coal thickness in metres, on the DEM's grid.</source>
      <translation>可采煤层厚度，单位 m，位于 DEM 的栅格网格上。</translation>
    </message>
    <message>
      <source>How the channel and ridge accumulation thresholds are chosen.</source>
      <translation>水文沟道与分水岭汇流累积阈值的确定方法。</translation>
    </message>
    <message>
      <source>Pre-mining DEM (PNL; elevation in m, projected CRS)</source>
      <translation>采前 DEM（PNL；高程 m，投影坐标系）</translation>
    </message>
    <message>
      <source>Floor of the lowest minable seam (elevation, m, on the DEM grid)</source>
      <translation>可采煤层最底层底板（高程 m，与 DEM 同网格）</translation>
    </message>
    <message>
      <source>Minable coal thickness (m, on the DEM grid)</source>
      <translation>可采煤层厚度（m，与 DEM 同网格）</translation>
    </message>
    <message>
      <source>k, ratio of spoil to stripped volume</source>
      <translation>k，实际土方量与剥离量之比</translation>
    </message>
    <message>
      <source>Pit length (m; blank = the smallest that meets the safe distance)</source>
      <translation>矿坑长度（m；留空 = 满足安全跟踪距离的最小值）</translation>
    </message>
    <message>
      <source>Channel threshold method</source>
      <translation>水文沟道阈值方法</translation>
    </message>
    <message>
      <source>Otsu (scaling break)</source>
      <translation>OTSU 法（尺度断点）</translation>
    </message>
    <message>
      <source>Otsu (histogram)</source>
      <translation>OTSU 法（直方图）</translation>
    </message>
    <message>
      <source>Fixed</source>
      <translation>固定值</translation>
    </message>
    <message>
      <source>Channel threshold (cells, used by 'Fixed')</source>
      <translation>水文沟道阈值（栅格数，用于“固定值”）</translation>
    </message>
    <message>
      <source>Ridge threshold (cells, used by 'Fixed')</source>
      <translation>分水岭阈值（栅格数，用于“固定值”）</translation>
    </message>
    <message>
      <source>1 Channels (PNL)</source>
      <translation>1 水文沟道（PNL）</translation>
    </message>
    <message>
      <source>6 Channels shared/lost/new, MNNDL</source>
      <translation>6 水文沟道共有/消失/新增，MNNDL</translation>
    </message>
    <message>
      <source>6 Channels shared/lost/new, NNDL</source>
      <translation>6 水文沟道共有/消失/新增，NNDL</translation>
    </message>
    <message>
      <source>6 Channels shared/lost/new, TDL</source>
      <translation>6 水文沟道共有/消失/新增，TDL</translation>
    </message>
    <message>
      <source>Hillshade of PNL</source>
      <translation>PNL 山体阴影图</translation>
    </message>
    <message>
      <source>5 MNNDL: near-natural landform, optimized plan</source>
      <translation>5 MNNDL：近自然地貌，优化方案</translation>
    </message>
    <message>
      <source>5 NNDL: near-natural landform, original plan</source>
      <translation>5 NNDL：近自然地貌，原始方案</translation>
    </message>
    <message>
      <source>7 PNL with the final pit (erosion reference)</source>
      <translation>7 含最终矿坑的 PNL（侵蚀参照）</translation>
    </message>
    <message>
      <source>8 Landform comparison report (HTML)</source>
      <translation>8 地貌对比报告（HTML）</translation>
    </message>
    <message>
      <source>8 Landform comparison table (CSV)</source>
      <translation>8 地貌对比表（CSV）</translation>
    </message>
    <message>
      <source>4 Sub-areas, original and optimized plans</source>
      <translation>4 采复子区，原始与优化方案</translation>
    </message>
    <message>
      <source>5 TDL: traditional landform, original plan</source>
      <translation>5 TDL：传统地貌，原始方案</translation>
    </message>
  </context>
  <context>
    <name>hpcs_pipeline_full</name>
    <message>
      <source>HPCS pipeline, every intermediate output</source>
      <translation>HPCS 流程（输出全部中间结果）</translation>
    </message>
    <message>
      <source>HPCS Landform plugin (scripts/build_pipeline_model.py)</source>
      <translation>HPCS 地貌重塑插件（scripts/build_pipeline_model.py）</translation>
    </message>
    <message>
      <source>The whole HPCS workflow of Xia et al. (2023) on one mine plan: channels and ridges of the pre-mining landform (PNL) -&gt; hydrological cell classes inside the mine area -&gt; minimum and maximum earthwork surfaces -&gt; mining/refilling sub-areas of the original plan (equal strips) and of the optimized plan -&gt; the near-natural landform of the original plan (NNDL), of the optimized plan (MNNDL) and the traditional landform (TDL, original plan) -&gt; hydrological fusion rate and haul distance of each landform -&gt; PNL with the final pit -&gt; soil erosion of PNL, NNDL, MNNDL and TDL over the dump -&gt; comparison report.

Every intermediate layer and table is an output of the model: leave it as a temporary output or give it a file name to keep it. The delineation runs once with the optimization, so its layer holds both plans on the same final pit: NNDL and TDL are built and evaluated on the original plan, MNNDL on the optimized one.

k defaults to 1.05: the plan must carry a little more spoil than the minimum earthwork surface needs (sum V_g &gt;= sum V_fmin); on the bundled sample plan it is infeasible with k = 1. The erosion reference is PNL with the same final pit at the same place as the landforms (the paper's section 1.4); erosion is summed over the dump (the refilling strips of the optimized plan).</source>
      <translation>在一个开采计划上运行 Xia 等（2023）的完整 HPCS 工作流程：采前地貌（PNL）的水文沟道与分水岭 → 矿区范围内的水文栅格分类 → 最小与最大土方重塑地貌 → 原始方案（等宽条带）与优化方案的采复子区 → 原始方案的近自然地貌（NNDL）、优化方案的近自然地貌（MNNDL）以及传统地貌（TDL，原始方案）→ 各地貌的水文融合率与运距 → 含最终矿坑的 PNL → PNL、NNDL、MNNDL 与 TDL 在内排土场上的土壤侵蚀 → 对比报告。

每个中间图层与表格都是模型的输出：可保留为临时输出，或指定文件名以保存。采复子区划定在启用优化的情况下运行一次，因此其图层在同一最终矿坑上包含两种方案：NNDL 与 TDL 基于原始方案构建和评价，MNNDL 基于优化方案。

k 默认为 1.05：方案的排弃土方量须略多于最小土方重塑地貌所需（sum V_g ≥ sum V_fmin）；在附带的示例方案上，k = 1 时方案不可行。侵蚀对比的参照为在与各地貌相同位置设置相同最终矿坑的 PNL（论文第 1.4 节）；侵蚀量在内排土场（优化方案的复填条带）上求和。</translation>
    </message>
    <message>
      <source>Pre-mining DEM (PNL) in metres, projected CRS in metres.</source>
      <translation>采前 DEM（PNL），单位 m，米制投影坐标系。</translation>
    </message>
    <message>
      <source>Azimuth of mining advance, degrees clockwise from north (270 = west).</source>
      <translation>开采推进方位角，自正北顺时针起算，单位度（270 = 正西）。</translation>
    </message>
    <message>
      <source>Elevation of the floor of the lowest minable seam, on the DEM's grid.</source>
      <translation>可采煤层最底层底板高程，位于 DEM 的栅格网格上。</translation>
    </message>
    <message>
      <source>Spoil swell ratio k (eq. 6): actual spoil volume / stripped bank volume.</source>
      <translation>实际土方量与剥离量之比 k（式 6）：实际排弃土方体积 / 剥离实方体积。</translation>
    </message>
    <message>
      <source>The mine (lease) polygon: the reshaping area of the classification and the area the strips are laid out in.</source>
      <translation>矿区（矿权）范围面：既是水文栅格分类的重塑区，也是布设条带的区域。</translation>
    </message>
    <message>
      <source>Length of the final pit along the mining direction, metres (the working pit between the refilled and the mined strips). Blank: the smallest pit whose gaps meet the safe distance of eq. 9 in every period.</source>
      <translation>最终矿坑沿开采方向的长度，单位 m（复填条带与开采条带之间的工作矿坑）。留空：取各周期条带间距均满足式 9 安全距离的最小矿坑长度。</translation>
    </message>
    <message>
      <source>Width of the original (equal) strips, metres.</source>
      <translation>原始（等宽）条带的宽度，单位 m。</translation>
    </message>
    <message>
      <source>Minable coal thickness in metres, on the DEM's grid.</source>
      <translation>可采煤层厚度，单位 m，位于 DEM 的栅格网格上。</translation>
    </message>
    <message>
      <source>How the channel and ridge accumulation thresholds are chosen.</source>
      <translation>水文沟道与分水岭汇流累积阈值的确定方法。</translation>
    </message>
    <message>
      <source>Pre-mining DEM (PNL; elevation in m, projected CRS)</source>
      <translation>采前 DEM（PNL；高程 m，投影坐标系）</translation>
    </message>
    <message>
      <source>Floor of the lowest minable seam (elevation, m, on the DEM grid)</source>
      <translation>可采煤层最底层底板（高程 m，与 DEM 同网格）</translation>
    </message>
    <message>
      <source>Minable coal thickness (m, on the DEM grid)</source>
      <translation>可采煤层厚度（m，与 DEM 同网格）</translation>
    </message>
    <message>
      <source>k, ratio of spoil to stripped volume</source>
      <translation>k，实际土方量与剥离量之比</translation>
    </message>
    <message>
      <source>Pit length (m; blank = the smallest that meets the safe distance)</source>
      <translation>矿坑长度（m；留空 = 满足安全跟踪距离的最小值）</translation>
    </message>
    <message>
      <source>Channel threshold method</source>
      <translation>水文沟道阈值方法</translation>
    </message>
    <message>
      <source>Otsu (scaling break)</source>
      <translation>OTSU 法（尺度断点）</translation>
    </message>
    <message>
      <source>Otsu (histogram)</source>
      <translation>OTSU 法（直方图）</translation>
    </message>
    <message>
      <source>Fixed</source>
      <translation>固定值</translation>
    </message>
    <message>
      <source>Channel threshold (cells, used by 'Fixed')</source>
      <translation>水文沟道阈值（栅格数，用于“固定值”）</translation>
    </message>
    <message>
      <source>Ridge threshold (cells, used by 'Fixed')</source>
      <translation>分水岭阈值（栅格数，用于“固定值”）</translation>
    </message>
    <message>
      <source>1 Flow accumulation (cells)</source>
      <translation>1 汇流累积量（栅格数）</translation>
    </message>
    <message>
      <source>1 Catchments (PNL)</source>
      <translation>1 汇水子区（PNL）</translation>
    </message>
    <message>
      <source>1 Channels (PNL)</source>
      <translation>1 水文沟道（PNL）</translation>
    </message>
    <message>
      <source>1 Depression-filled DEM</source>
      <translation>1 填洼 DEM</translation>
    </message>
    <message>
      <source>1 Flow direction (D8)</source>
      <translation>1 流向（D8）</translation>
    </message>
    <message>
      <source>1 Ridges (PNL)</source>
      <translation>1 分水岭（PNL）</translation>
    </message>
    <message>
      <source>2 Cell classes</source>
      <translation>2 水文栅格类别</translation>
    </message>
    <message>
      <source>4 Dump (refilling strips, optimized plan)</source>
      <translation>4 内排土场（复填条带，优化方案）</translation>
    </message>
    <message>
      <source>7 Evolved DEMs and elevation changes (folder)</source>
      <translation>7 演化后 DEM 与高程变化（文件夹）</translation>
    </message>
    <message>
      <source>7 Erosion report (HTML)</source>
      <translation>7 侵蚀报告（HTML）</translation>
    </message>
    <message>
      <source>7 Erosion table (CSV)</source>
      <translation>7 侵蚀表（CSV）</translation>
    </message>
    <message>
      <source>6 Flow agreement on the dump boundary, MNNDL</source>
      <translation>6 内排土场边界流向一致性，MNNDL</translation>
    </message>
    <message>
      <source>6 Channels shared/lost/new, MNNDL</source>
      <translation>6 水文沟道共有/消失/新增，MNNDL</translation>
    </message>
    <message>
      <source>6 Fusion rate per strip, MNNDL (CSV)</source>
      <translation>6 逐条带水文融合率，MNNDL（CSV）</translation>
    </message>
    <message>
      <source>6 Flow agreement on the dump boundary, NNDL</source>
      <translation>6 内排土场边界流向一致性，NNDL</translation>
    </message>
    <message>
      <source>6 Channels shared/lost/new, NNDL</source>
      <translation>6 水文沟道共有/消失/新增，NNDL</translation>
    </message>
    <message>
      <source>6 Fusion rate per strip, NNDL (CSV)</source>
      <translation>6 逐条带水文融合率，NNDL（CSV）</translation>
    </message>
    <message>
      <source>6 Flow agreement on the dump boundary, TDL</source>
      <translation>6 内排土场边界流向一致性，TDL</translation>
    </message>
    <message>
      <source>6 Channels shared/lost/new, TDL</source>
      <translation>6 水文沟道共有/消失/新增，TDL</translation>
    </message>
    <message>
      <source>6 Fusion rate per strip, TDL (CSV)</source>
      <translation>6 逐条带水文融合率，TDL（CSV）</translation>
    </message>
    <message>
      <source>6 Earth moves, MNNDL</source>
      <translation>6 土方调运线，MNNDL</translation>
    </message>
    <message>
      <source>6 Haul distance per period, MNNDL (CSV)</source>
      <translation>6 各周期运距，MNNDL（CSV）</translation>
    </message>
    <message>
      <source>6 Earth moves, NNDL</source>
      <translation>6 土方调运线，NNDL</translation>
    </message>
    <message>
      <source>6 Haul distance per period, NNDL (CSV)</source>
      <translation>6 各周期运距，NNDL（CSV）</translation>
    </message>
    <message>
      <source>6 Earth moves, TDL</source>
      <translation>6 土方调运线，TDL</translation>
    </message>
    <message>
      <source>6 Haul distance per period, TDL (CSV)</source>
      <translation>6 各周期运距，TDL（CSV）</translation>
    </message>
    <message>
      <source>5 MNNDL: near-natural landform, optimized plan</source>
      <translation>5 MNNDL：近自然地貌，优化方案</translation>
    </message>
    <message>
      <source>5 NNDL: near-natural landform, original plan</source>
      <translation>5 NNDL：近自然地貌，原始方案</translation>
    </message>
    <message>
      <source>7 PNL with the final pit (erosion reference)</source>
      <translation>7 含最终矿坑的 PNL（侵蚀参照）</translation>
    </message>
    <message>
      <source>8 Landform comparison report (HTML)</source>
      <translation>8 地貌对比报告（HTML）</translation>
    </message>
    <message>
      <source>8 Landform comparison table (CSV)</source>
      <translation>8 地貌对比表（CSV）</translation>
    </message>
    <message>
      <source>4 Supply-demand chart, both plans (HTML)</source>
      <translation>4 土方供需图，两种方案（HTML）</translation>
    </message>
    <message>
      <source>4 Sub-areas, original and optimized plans</source>
      <translation>4 采复子区，原始与优化方案</translation>
    </message>
    <message>
      <source>4 Periods table, both plans (CSV)</source>
      <translation>4 各周期统计表，两种方案（CSV）</translation>
    </message>
    <message>
      <source>3 Maximum earthwork surface (dem_max)</source>
      <translation>3 最大土方重塑地貌（dem_max）</translation>
    </message>
    <message>
      <source>3 Minimum earthwork surface (dem_min)</source>
      <translation>3 最小土方重塑地貌（dem_min）</translation>
    </message>
    <message>
      <source>5 TDL: traditional landform, original plan</source>
      <translation>5 TDL：传统地貌，原始方案</translation>
    </message>
  </context>
</TS>
